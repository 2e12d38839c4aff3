// An open-addressing set of 64-bit hashes for the per-document hot loops (repeat detection,
// distinct keys): no node allocation, cleared cheaply between documents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dupstrip::detail {

class flat_set64 {
 public:
  /// Empties the set and makes room for about `expected` values.
  void reset(std::size_t expected) {
    std::size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    if (slots_.size() != cap) {
      slots_.assign(cap, 0);
    } else {
      std::fill(slots_.begin(), slots_.end(), 0);
    }
    size_ = 0;
    has_zero_ = false;
  }
  [[nodiscard]] bool contains(std::uint64_t v) const noexcept {
    if (v == 0) return has_zero_;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = index(v) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == v) return true;
      if (slots_[i] == 0) return false;
    }
  }
  /// Inserts v; returns true when it was not there.
  bool insert(std::uint64_t v) {
    if (v == 0) {
      const bool fresh = !has_zero_;
      has_zero_ = true;
      return fresh;
    }
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = index(v) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == v) return false;
      if (slots_[i] == 0) {
        slots_[i] = v;
        ++size_;
        return true;
      }
    }
  }

 private:
  std::vector<std::uint64_t> slots_ = std::vector<std::uint64_t>(16, 0);
  std::size_t size_ = 0;
  bool has_zero_ = false;
  static std::size_t index(std::uint64_t v) noexcept {
    return static_cast<std::size_t>((v * 0x9E3779B97F4A7C15ULL) >> 20);
  }
  void grow() {
    std::vector<std::uint64_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    size_ = 0;
    for (std::uint64_t v : old)
      if (v != 0) insert(v);
  }
};

}  // namespace dupstrip::detail
