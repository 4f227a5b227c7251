// Publication of compiled tables to the workers, RCU style. The control thread publishes a new
// table by swapping one pointer; each worker picks it up at its next quiescent point (between
// bursts, never inside one, so every packet is classified by exactly one table) and then
// announces the generation it uses. A retired table is freed by the control thread once every
// worker has announced a later generation: workers take no lock and never see a freed table.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "../table/table_image.h"

namespace sigwall::live {

struct PublishedTable {
  std::unique_ptr<table::TableImage> image;
  uint32_t generation = 0;
};

class TableRegistry {
 public:
  // A worker that has exited announces this: it holds no table any more.
  static constexpr uint32_t kRetired = UINT32_MAX;

  explicit TableRegistry(uint32_t workers) : workers_(workers), active_(std::make_unique<Slot[]>(workers ? workers : 1)) {}

  // Control thread. Returns the new generation (the first table is 1).
  uint32_t publish(std::unique_ptr<table::TableImage> image) {
    std::lock_guard<std::mutex> lock(control_);
    auto table = std::make_unique<PublishedTable>();
    table->image = std::move(image);
    table->generation = ++last_generation_;
    current_.store(table.get(), std::memory_order_release);
    tables_.push_back(std::move(table));
    reclaim_locked();
    return last_generation_;
  }

  // Control thread: frees every table older than the oldest generation still announced.
  void reclaim() {
    std::lock_guard<std::mutex> lock(control_);
    reclaim_locked();
  }

  // Control thread: the generation each worker uses; an exited worker reports the current one
  // (it will never classify with an older table again).
  std::vector<uint32_t> active_generations() const {
    std::vector<uint32_t> out(workers_);
    for (uint32_t w = 0; w < workers_; ++w) {
      const uint32_t g = active_[w].generation.load(std::memory_order_acquire);
      out[w] = g == kRetired ? last_generation_ : g;
    }
    return out;
  }

  uint32_t last_generation() const { return last_generation_; }
  const PublishedTable* current() const { return current_.load(std::memory_order_acquire); }
  // How many tables are still held (the current one plus retired ones not yet freed).
  size_t held() const {
    std::lock_guard<std::mutex> lock(control_);
    return tables_.size();
  }

  // Worker w: it now uses `generation` and holds no older table.
  void announce(uint32_t worker, uint32_t generation) {
    active_[worker].generation.store(generation, std::memory_order_release);
  }

 private:
  void reclaim_locked() {
    uint32_t oldest = last_generation_;
    for (uint32_t w = 0; w < workers_; ++w) {
      const uint32_t g = active_[w].generation.load(std::memory_order_acquire);
      if (g != kRetired && g < oldest) oldest = g;
    }
    std::vector<std::unique_ptr<PublishedTable>> kept;
    for (auto& table : tables_)
      if (table->generation >= oldest) kept.push_back(std::move(table));
    tables_ = std::move(kept);
  }

  struct alignas(64) Slot {
    // 0 until the worker first takes a table: nothing published later than 0 can be freed
    // while a worker might still be about to read the current pointer.
    std::atomic<uint32_t> generation{0};
  };

  uint32_t workers_;
  std::unique_ptr<Slot[]> active_;
  std::atomic<const PublishedTable*> current_{nullptr};
  mutable std::mutex control_;  // control thread only (setTable vs. activeGenerations); never a worker
  std::vector<std::unique_ptr<PublishedTable>> tables_;
  uint32_t last_generation_ = 0;
};

}  // namespace sigwall::live
