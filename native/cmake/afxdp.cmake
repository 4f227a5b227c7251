# The afxdp io backend: sigwall's own XDP program (native/bpf/sigwall_xdp.bpf.c) compiled with
# clang -target bpf at build time and embedded into the addon as a generated header
# (sigwall_xdp_object.h: no run-time file lookup), plus the loader and AF_XDP sockets
# (native/live/afxdp_backend.cc) linked against libxdp and libbpf.
#
# Included from native/CMakeLists.txt BEFORE the targets that use it are defined. Outputs:
#   SIGWALL_HAVE_AFXDP   ON when clang, libxdp and libbpf were found, and then also the compile
#                        definition SIGWALL_HAVE_AFXDP=1 for every target defined afterwards in
#                        this directory (live/backend.cc drops its "not built" factory, and
#                        tests/afxdp_*.cc compile into the native test binary); OFF otherwise, and
#                        nothing else is defined.
#   sigwall_afxdp        static library with the backend, linking libxdp/libbpf PUBLIC; the
#                        includer links it with sigwall_core (the backend uses backend.h's types).
#   sigwall_afxdp_tests  (SIGWALL_TESTS) GoogleTest binary from tests/afxdp_*.cc, registered with
#                        CTest as afxdp_tests; the tests need root (private network namespace,
#                        veth, XDP) and skip with that reason otherwise. The includer keeps
#                        tests/afxdp_*.cc out of its own test binary.
# -DSIGWALL_AFXDP=OFF builds without it even when everything is installed.
option(SIGWALL_AFXDP "Build the AF_XDP backend when clang, libxdp and libbpf are found" ON)
set(SIGWALL_HAVE_AFXDP OFF)

if(SIGWALL_AFXDP)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(SIGWALL_XDP_LIBS QUIET IMPORTED_TARGET libxdp libbpf)
  endif()
  # The BPF object needs clang whatever compiles the rest (gcc cannot target BPF).
  find_program(SIGWALL_BPF_CLANG NAMES clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14)
  set(_sigwall_afxdp_missing "")
  if(NOT SIGWALL_XDP_LIBS_FOUND)
    list(APPEND _sigwall_afxdp_missing "libxdp and libbpf (pkg-config libxdp libbpf: Debian packages libxdp-dev libbpf-dev)")
  endif()
  if(NOT SIGWALL_BPF_CLANG)
    list(APPEND _sigwall_afxdp_missing "clang")
  endif()
  if(_sigwall_afxdp_missing)
    list(JOIN _sigwall_afxdp_missing ", " _sigwall_afxdp_missing_text)
    message(STATUS "sigwall: afxdp backend NOT built (missing: ${_sigwall_afxdp_missing_text})")
  else()
    set(SIGWALL_HAVE_AFXDP ON)
  endif()
else()
  message(STATUS "sigwall: afxdp backend NOT built (disabled with -DSIGWALL_AFXDP=OFF)")
endif()

if(SIGWALL_HAVE_AFXDP)
  message(STATUS "sigwall: afxdp backend built (clang ${SIGWALL_BPF_CLANG}, libxdp ${SIGWALL_XDP_LIBS_libxdp_VERSION}, libbpf ${SIGWALL_XDP_LIBS_libbpf_VERSION})")
  set(_sigwall_bpf_dir ${CMAKE_CURRENT_LIST_DIR}/../bpf)
  set(_sigwall_bpf_out ${CMAKE_CURRENT_BINARY_DIR}/bpf)
  set(_sigwall_bpf_object ${_sigwall_bpf_out}/sigwall_xdp.bpf.o)
  set(_sigwall_bpf_header ${_sigwall_bpf_out}/sigwall_xdp_object.h)
  # Debian keeps asm/types.h under the multiarch directory, which -target bpf does not search.
  set(_sigwall_bpf_includes -I${_sigwall_bpf_dir})
  if(CMAKE_LIBRARY_ARCHITECTURE)
    list(APPEND _sigwall_bpf_includes -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
  endif()
  foreach(dir ${SIGWALL_XDP_LIBS_INCLUDE_DIRS})
    list(APPEND _sigwall_bpf_includes -I${dir})
  endforeach()
  # -g: the maps are declared with BTF (SEC(".maps")), which libbpf needs to create them.
  add_custom_command(
    OUTPUT ${_sigwall_bpf_object}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_sigwall_bpf_out}
    COMMAND ${SIGWALL_BPF_CLANG} -O2 -g -Wall -Werror -target bpf ${_sigwall_bpf_includes}
            -c ${_sigwall_bpf_dir}/sigwall_xdp.bpf.c -o ${_sigwall_bpf_object}
    DEPENDS ${_sigwall_bpf_dir}/sigwall_xdp.bpf.c ${_sigwall_bpf_dir}/sigwall_xdp_abi.h
    COMMENT "Compiling the XDP program sigwall_xdp.bpf.c (clang -target bpf)"
    VERBATIM)
  add_custom_command(
    OUTPUT ${_sigwall_bpf_header}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${_sigwall_bpf_object} -DOUTPUT=${_sigwall_bpf_header}
            -DSYMBOL=kSigwallXdpObject -P ${CMAKE_CURRENT_LIST_DIR}/embed_binary.cmake
    DEPENDS ${_sigwall_bpf_object} ${CMAKE_CURRENT_LIST_DIR}/embed_binary.cmake
    COMMENT "Embedding sigwall_xdp.bpf.o into sigwall_xdp_object.h"
    VERBATIM)
  add_custom_target(sigwall_xdp_object DEPENDS ${_sigwall_bpf_header})

  add_compile_definitions(SIGWALL_HAVE_AFXDP=1)
  add_library(sigwall_afxdp STATIC ${CMAKE_CURRENT_LIST_DIR}/../live/afxdp_backend.cc)
  add_dependencies(sigwall_afxdp sigwall_xdp_object)
  target_include_directories(sigwall_afxdp
    PUBLIC ${CMAKE_CURRENT_LIST_DIR}/..
    PRIVATE ${_sigwall_bpf_out})
  target_compile_definitions(sigwall_afxdp PUBLIC SIGWALL_HAVE_AFXDP=1)
  target_link_libraries(sigwall_afxdp PUBLIC PkgConfig::SIGWALL_XDP_LIBS)

  if(SIGWALL_TESTS)
    file(GLOB _sigwall_afxdp_test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/../tests/afxdp_*.cc)
    if(_sigwall_afxdp_test_sources)
      enable_testing()
      find_package(GTest REQUIRED)
      add_executable(sigwall_afxdp_tests ${_sigwall_afxdp_test_sources})
      # sigwall_core is defined after this file is included; CMake resolves the name at generation.
      target_link_libraries(sigwall_afxdp_tests PRIVATE sigwall_afxdp sigwall_core GTest::gtest GTest::gtest_main)
      target_compile_definitions(sigwall_afxdp_tests PRIVATE
        SIGWALL_DEMO_CAPTURE="${CMAKE_CURRENT_LIST_DIR}/../../firmware-config/demo/demo.pcap"
        SIGWALL_SHARED_CAPTURES="${CMAKE_CURRENT_LIST_DIR}/../../../shared/captures")
      add_test(NAME afxdp_tests COMMAND sigwall_afxdp_tests)
    endif()
  endif()
endif()
