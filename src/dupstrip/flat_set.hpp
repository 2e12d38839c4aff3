// Open-addressing tables of 64-bit hashes for the hot loops (repeat detection, distinct keys,
// the merge's counts): no node allocation, cleared cheaply between documents.
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

/// The table under flat_first64 and flat_count64: 64-bit keys (0 marks a free slot; key 0
/// itself is the user's to handle), a value per slot, linear probing, at most half full.
template <class Value>
class flat_map64 {
 public:
  /// Empties the table and makes room for about `expected` keys (values are left as they are:
  /// a slot's value is set when its key is).
  void reset(std::size_t expected) {
    std::size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    if (keys_.size() != cap) {
      keys_.assign(cap, 0);
      values_.resize(cap);
    } else {
      std::fill(keys_.begin(), keys_.end(), 0);
    }
    size_ = 0;
  }
  /// The value slot of key v (v != 0); a new key gets `fresh` and sets `inserted`.
  Value& find_or_insert(std::uint64_t v, Value fresh, bool& inserted) {
    if ((size_ + 1) * 2 > keys_.size()) grow();
    const std::size_t mask = keys_.size() - 1;
    for (std::size_t i = index(v) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == v) {
        inserted = false;
        return values_[i];
      }
      if (keys_[i] == 0) {
        keys_[i] = v;
        values_[i] = fresh;
        ++size_;
        inserted = true;
        return values_[i];
      }
    }
  }
  /// The value of key v (v != 0), or nullptr when v is absent.
  [[nodiscard]] const Value* find(std::uint64_t v) const noexcept {
    const std::size_t mask = keys_.size() - 1;
    for (std::size_t i = index(v) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == v) return &values_[i];
      if (keys_[i] == 0) return nullptr;
    }
  }
  /// Calls fn(key, value) for every key, in no particular order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] != 0) fn(keys_[i], values_[i]);
  }

 private:
  std::vector<std::uint64_t> keys_ = std::vector<std::uint64_t>(16, 0);
  std::vector<Value> values_ = std::vector<Value>(16, Value{});
  std::size_t size_ = 0;
  static std::size_t index(std::uint64_t v) noexcept {
    return static_cast<std::size_t>((v * 0x9E3779B97F4A7C15ULL) >> 20);
  }
  void grow() {
    std::vector<std::uint64_t> old_keys(keys_.size() * 2, 0);
    std::vector<Value> old_values(values_.size() * 2, Value{});
    old_keys.swap(keys_);
    old_values.swap(values_);
    const std::size_t mask = keys_.size() - 1;
    for (std::size_t k = 0; k < old_keys.size(); ++k) {
      if (old_keys[k] == 0) continue;
      std::size_t i = index(old_keys[k]) & mask;
      while (keys_[i] != 0) i = (i + 1) & mask;
      keys_[i] = old_keys[k];
      values_[i] = old_values[k];
    }
  }
};

/// A map from 64-bit hashes to the first owner (a line number) that inserted them: one probe
/// answers both "was it seen before this owner?" and records it.
class flat_first64 {
 public:
  /// Empties the map and makes room for about `expected` values.
  void reset(std::size_t expected) {
    map_.reset(expected);
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
    bool inserted = false;
    return map_.find_or_insert(v, owner, inserted);
  }
  /// The owner of v, or `none` when v was never inserted.
  [[nodiscard]] std::uint32_t find(std::uint64_t v, std::uint32_t none) const noexcept {
    if (v == 0) return has_zero_ ? zero_owner_ : none;
    const std::uint32_t* p = map_.find(v);
    return p != nullptr ? *p : none;
  }

 private:
  flat_map64<std::uint32_t> map_;
  bool has_zero_ = false;
  std::uint32_t zero_owner_ = 0;
};

/// A map from 64-bit hashes to counts (12 bytes per slot, at most half full): the per-group
/// line counts of the merge.
class flat_count64 {
 public:
  /// Adds one to v's count.
  void bump(std::uint64_t v) {
    if (v == 0) {
      ++zero_;
      return;
    }
    bool inserted = false;
    std::uint32_t& c = map_.find_or_insert(v, 0, inserted);
    ++c;
  }
  /// Calls fn(key, count) for every key, in no particular order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    if (zero_ != 0) fn(std::uint64_t{0}, zero_);
    map_.for_each(fn);
  }

 private:
  flat_map64<std::uint32_t> map_;
  std::uint32_t zero_ = 0;
};

}  // namespace dupstrip::detail
