// A single-producer single-consumer ring of fixed-size records (one per worker: the worker
// produces, the control thread drains). Lossy by design: when the ring is full, reserve()
// returns nullptr and the worker counts the event as lost instead of waiting for the reader.
// Indices run freely (64-bit, never wrap in practice) and are masked into a power-of-two slot
// array; each side owns one index on its own cache line and reads the other's with acquire.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

namespace sigwall::live {

template <typename Record>
class SpscRing {
 public:
  // `slots` is rounded up to a power of two (at least 2).
  explicit SpscRing(uint32_t slots) {
    capacity_ = 2;
    while (capacity_ < slots && capacity_ < (1u << 30)) capacity_ <<= 1;
    mask_ = capacity_ - 1;
    records_ = std::make_unique<Record[]>(capacity_);
  }

  uint32_t capacity() const { return capacity_; }

  // Producer: a slot to fill, or nullptr when the ring is full. Nothing is visible to the
  // consumer until commit().
  Record* reserve() {
    const uint64_t head = head_.value.load(std::memory_order_relaxed);
    if (head - cached_tail_ >= capacity_) {
      cached_tail_ = tail_.value.load(std::memory_order_acquire);
      if (head - cached_tail_ >= capacity_) return nullptr;
    }
    return &records_[head & mask_];
  }
  void commit() { head_.value.store(head_.value.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

  // Consumer: copies up to `max` records into `out` (oldest first, sizeof(Record) bytes each,
  // no alignment needed) and frees their slots.
  uint32_t drain(uint8_t* out, uint32_t max) {
    const uint64_t tail = tail_.value.load(std::memory_order_relaxed);
    const uint64_t head = head_.value.load(std::memory_order_acquire);
    uint64_t available = head - tail;
    if (available > max) available = max;
    for (uint64_t i = 0; i < available; ++i) std::memcpy(out + i * sizeof(Record), &records_[(tail + i) & mask_], sizeof(Record));
    tail_.value.store(tail + available, std::memory_order_release);
    return static_cast<uint32_t>(available);
  }
  uint64_t size() const {
    return head_.value.load(std::memory_order_acquire) - tail_.value.load(std::memory_order_acquire);
  }

 private:
  struct alignas(64) Index {
    std::atomic<uint64_t> value{0};
  };
  Index head_;               // written by the producer
  Index tail_;               // written by the consumer
  uint64_t cached_tail_ = 0; // producer's last view of tail_ (saves a shared-line read per event)
  uint32_t capacity_ = 0;
  uint32_t mask_ = 0;
  std::unique_ptr<Record[]> records_;
};

}  // namespace sigwall::live
