// Private UTF-8 kernels shared by the validator (utf8.cpp) and the tokenizer (text.cpp): a
// one-code-point decoder that reports maximal invalid subparts, an encoder, and the 8-bytes-at-a-
// time ASCII skip. Everything is inline and allocation-free because it sits on the hot path.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace dupstrip::detail {

/// One decoding step.
struct utf8_step {
  char32_t cp;         ///< the code point (U+FFFD when !valid)
  std::uint32_t len;   ///< bytes consumed: the sequence, or the maximal invalid subpart (>= 1)
  bool valid;          ///< false: `len` bytes form one maximal invalid subpart
};

/// True for a continuation byte 10xxxxxx.
[[nodiscard]] constexpr bool is_continuation(unsigned char b) noexcept { return (b & 0xC0U) == 0x80U; }

/// Decodes the code point at `p` (with `avail` >= 1 bytes available).
///
/// Well-formed sequences are those of Unicode Table 3-7. When the bytes at `p` are not a
/// well-formed sequence, `len` is the length of the *maximal subpart*: the longest prefix of
/// a well-formed sequence starting at `p`, or 1 when `p[0]` cannot start one (C0, C1, F5..FF,
/// 80..BF). So "E1 80 41" gives one 2-byte subpart then 'A', and "C0 80" gives two 1-byte subparts.
/// @pre avail >= 1.
[[nodiscard, gnu::always_inline]] inline utf8_step decode_utf8(const unsigned char* p, std::size_t avail) noexcept {
  constexpr char32_t bad = 0xFFFD;
  const std::uint32_t b0 = p[0];
  if (b0 < 0x80U) return {static_cast<char32_t>(b0), 1, true};
  if (b0 < 0xC2U) return {bad, 1, false};  // stray continuation byte, or overlong lead C0/C1
  if (b0 < 0xE0U) {
    if (avail < 2 || !is_continuation(p[1])) return {bad, 1, false};
    return {static_cast<char32_t>(((b0 & 0x1FU) << 6) | (p[1] & 0x3FU)), 2, true};
  }
  if (b0 < 0xF0U) {
    // E0 needs A0..BF (else overlong), ED needs 80..9F (else a surrogate).
    const std::uint32_t lo = b0 == 0xE0U ? 0xA0U : 0x80U;
    const std::uint32_t hi = b0 == 0xEDU ? 0x9FU : 0xBFU;
    if (avail < 2 || p[1] < lo || p[1] > hi) return {bad, 1, false};
    if (avail < 3 || !is_continuation(p[2])) return {bad, 2, false};
    return {static_cast<char32_t>(((b0 & 0x0FU) << 12) | ((p[1] & 0x3FU) << 6) | (p[2] & 0x3FU)), 3,
            true};
  }
  if (b0 < 0xF5U) {
    // F0 needs 90..BF (else overlong), F4 needs 80..8F (else above U+10FFFF).
    const std::uint32_t lo = b0 == 0xF0U ? 0x90U : 0x80U;
    const std::uint32_t hi = b0 == 0xF4U ? 0x8FU : 0xBFU;
    if (avail < 2 || p[1] < lo || p[1] > hi) return {bad, 1, false};
    if (avail < 3 || !is_continuation(p[2])) return {bad, 2, false};
    if (avail < 4 || !is_continuation(p[3])) return {bad, 3, false};
    return {static_cast<char32_t>(((b0 & 0x07U) << 18) | ((p[1] & 0x3FU) << 12) |
                                  ((p[2] & 0x3FU) << 6) | (p[3] & 0x3FU)),
            4, true};
  }
  return {bad, 1, false};  // F5..FF never appear in UTF-8
}

/// Writes the UTF-8 encoding of scalar value `cp` to `out` (room for 4 bytes) and returns
/// its length. @pre cp is a Unicode scalar value.
[[nodiscard]] inline std::size_t encode_utf8(char32_t cp, char* out) noexcept {
  const auto c = static_cast<std::uint32_t>(cp);
  if (c < 0x80U) {
    out[0] = static_cast<char>(c);
    return 1;
  }
  if (c < 0x800U) {
    out[0] = static_cast<char>(0xC0U | (c >> 6));
    out[1] = static_cast<char>(0x80U | (c & 0x3FU));
    return 2;
  }
  if (c < 0x10000U) {
    out[0] = static_cast<char>(0xE0U | (c >> 12));
    out[1] = static_cast<char>(0x80U | ((c >> 6) & 0x3FU));
    out[2] = static_cast<char>(0x80U | (c & 0x3FU));
    return 3;
  }
  out[0] = static_cast<char>(0xF0U | (c >> 18));
  out[1] = static_cast<char>(0x80U | ((c >> 12) & 0x3FU));
  out[2] = static_cast<char>(0x80U | ((c >> 6) & 0x3FU));
  out[3] = static_cast<char>(0x80U | (c & 0x3FU));
  return 4;
}

/// Returns the offset of the first byte >= 0x80 in [p + i, p + n), or n. Checks 8 bytes at a
/// time: a 64-bit word with no bit of 0x8080808080808080 set is eight ASCII bytes.
[[nodiscard]] inline std::size_t skip_ascii(const unsigned char* p, std::size_t i, std::size_t n) noexcept {
  constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
  while (i + 8 <= n) {
    std::uint64_t w;
    std::memcpy(&w, p + i, sizeof w);
    const std::uint64_t hi = w & high_bits;
    if (hi != 0) {
      if constexpr (std::endian::native == std::endian::little) {
        return i + static_cast<std::size_t>(std::countr_zero(hi)) / 8;
      } else {
        while (p[i] < 0x80U) ++i;
        return i;
      }
    }
    i += 8;
  }
  while (i < n && p[i] < 0x80U) ++i;
  return i;
}

}  // namespace dupstrip::detail
