// Registers the live engine's surface (LiveEngine, counterLayout, eventLayout, liveBackends) on
// the addon's exports; see live_engine.cc and src/dataplane/live-native.ts.
#pragma once

#include <napi.h>

namespace sigwall::addon {

void register_live_engine(Napi::Env env, Napi::Object exports);

}  // namespace sigwall::addon
