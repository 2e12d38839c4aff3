// An open-addressing set of 64-bit hashes for the per-document hot loops (repeat detection,
// distinct keys): no node allocation, cleared cheaply between documents.
#pragma once

#include <algorithm>
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

/// An open-addressing map from 64-bit hashes to the first owner (a line number) that inserted
/// them: one probe answers both "was it seen before this owner?" and records it.
class flat_first64 {
 public:
  /// Empties the map and makes room for about `expected` values.
  void reset(std::size_t expected) {
    std::size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    if (keys_.size() != cap) {
      keys_.assign(cap, 0);
      owners_.resize(cap);
    } else {
      std::fill(keys_.begin(), keys_.end(), 0);
    }
    size_ = 0;
    has_zero_ = false;
  }
  /// The owner that first inserted v; inserts v for `owner` (and returns it) when v is new.
  std::uint32_t first_or_insert(std::uint64_t v, std::uint32_t owner) {
    if (v == 0) {
      if (!has_zero_) {
        has_zero_ = true;
        zero_owner_ = owner;
      }
      return zero_owner_;
    }
    if ((size_ + 1) * 2 > keys_.size()) grow();
    const std::size_t mask = keys_.size() - 1;
    for (std::size_t i = index(v) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == v) return owners_[i];
      if (keys_[i] == 0) {
        keys_[i] = v;
        owners_[i] = owner;
        ++size_;
        return owner;
      }
    }
  }

 private:
  std::vector<std::uint64_t> keys_ = std::vector<std::uint64_t>(16, 0);
  std::vector<std::uint32_t> owners_ = std::vector<std::uint32_t>(16, 0);
  std::size_t size_ = 0;
  bool has_zero_ = false;
  std::uint32_t zero_owner_ = 0;
  static std::size_t index(std::uint64_t v) noexcept {
    return static_cast<std::size_t>((v * 0x9E3779B97F4A7C15ULL) >> 20);
  }
  void grow() {
    std::vector<std::uint64_t> old_keys(keys_.size() * 2, 0);
    std::vector<std::uint32_t> old_owners(owners_.size() * 2, 0);
    old_keys.swap(keys_);
    old_owners.swap(owners_);
    const std::size_t mask = keys_.size() - 1;
    for (std::size_t k = 0; k < old_keys.size(); ++k) {
      if (old_keys[k] == 0) continue;
      std::size_t i = index(old_keys[k]) & mask;
      while (keys_[i] != 0) i = (i + 1) & mask;
      keys_[i] = old_keys[k];
      owners_[i] = old_owners[k];
    }
  }
};

/// An open-addressing map from 64-bit hashes to counts (12 bytes per slot, at most half full):
/// the per-group line counts of the merge.
class flat_count64 {
 public:
  /// Adds one to v's count.
  void bump(std::uint64_t v) {
    if (v == 0) {
      ++zero_;
      return;
    }
    if ((size_ + 1) * 2 > keys_.size()) grow();
    const std::size_t mask = keys_.size() - 1;
    for (std::size_t i = index(v) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == v) {
        ++counts_[i];
        return;
      }
      if (keys_[i] == 0) {
        keys_[i] = v;
        counts_[i] = 1;
        ++size_;
        return;
      }
    }
  }
  /// Calls fn(key, count) for every key, in no particular order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    if (zero_ != 0) fn(std::uint64_t{0}, zero_);
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] != 0) fn(keys_[i], counts_[i]);
  }

 private:
  std::vector<std::uint64_t> keys_ = std::vector<std::uint64_t>(16, 0);
  std::vector<std::uint32_t> counts_ = std::vector<std::uint32_t>(16, 0);
  std::size_t size_ = 0;
  std::uint32_t zero_ = 0;
  static std::size_t index(std::uint64_t v) noexcept {
    return static_cast<std::size_t>((v * 0x9E3779B97F4A7C15ULL) >> 20);
  }
  void grow() {
    std::vector<std::uint64_t> old_keys(keys_.size() * 2, 0);
    std::vector<std::uint32_t> old_counts(counts_.size() * 2, 0);
    old_keys.swap(keys_);
    old_counts.swap(counts_);
    const std::size_t mask = keys_.size() - 1;
    for (std::size_t k = 0; k < old_keys.size(); ++k) {
      if (old_keys[k] == 0) continue;
      std::size_t i = index(old_keys[k]) & mask;
      while (keys_[i] != 0) i = (i + 1) & mask;
      keys_[i] = old_keys[k];
      counts_[i] = old_counts[k];
    }
  }
};

}  // namespace dupstrip::detail
