// Differential fuzzing of the UTF-8 validator: check_utf8 / is_valid_utf8 / repair_utf8 against a
// byte-at-a-time reference written here from Unicode Table 3-7 (well-formed byte sequences) and
// the "U+FFFD substitution of maximal subparts" rule. The reference shares no code with
// src/dupstrip/utf8.hpp.
#include "fuzz_check.hpp"

#include <dupstrip/text.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

struct ref_result {
  bool valid = true;
  std::size_t first_error = 0;
  std::size_t errors = 0;
  std::string repaired;
};

/// Length of the well-formed sequence led by `b` and the allowed range of its second byte
/// (Table 3-7); 0 when `b` cannot lead a sequence.
struct lead_info {
  std::size_t length;
  unsigned lo;
  unsigned hi;
};

lead_info lead(unsigned b) {
  if (b <= 0x7F) return {1, 0, 0};
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

ref_result reference(std::string_view s) {
  ref_result r;
  std::size_t i = 0;
  while (i < s.size()) {
    const lead_info li = lead(static_cast<unsigned char>(s[i]));
    // Count the bytes that continue a well-formed prefix.
    std::size_t matched = 1;
    if (li.length == 0) {
      matched = 0;
    } else {
      while (matched < li.length && i + matched < s.size()) {
        const unsigned c = static_cast<unsigned char>(s[i + matched]);
        const unsigned lo = matched == 1 ? li.lo : 0x80U;
        const unsigned hi = matched == 1 ? li.hi : 0xBFU;
        if (c < lo || c > hi) break;
        ++matched;
      }
    }
    if (li.length != 0 && matched == li.length) {
      r.repaired.append(s.substr(i, matched));
      i += matched;
      continue;
    }
    // A maximal invalid subpart: the well-formed prefix, or the single byte.
    const std::size_t len = matched == 0 ? 1 : matched;
    if (r.valid) {
      r.valid = false;
      r.first_error = i;
    }
    ++r.errors;
    r.repaired.append("\xEF\xBF\xBD");
    i += len;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const ref_result ref = reference(in);

  const dupstrip::utf8_status st = dupstrip::check_utf8(in);
  FUZZ_CHECK(st.valid == ref.valid);
  FUZZ_CHECK(st.error_count == ref.errors);
  if (!st.valid) FUZZ_CHECK(st.first_error == ref.first_error);
  FUZZ_CHECK(st.valid == (st.error_count == 0));
  FUZZ_CHECK(dupstrip::is_valid_utf8(in) == ref.valid);

  const std::string rep = dupstrip::repair_utf8(in);
  FUZZ_CHECK(rep == ref.repaired);
  if (ref.valid) FUZZ_CHECK(rep == in);
  const ref_result again = reference(rep);
  FUZZ_CHECK(again.valid);
  FUZZ_CHECK(dupstrip::check_utf8(rep).valid);
  FUZZ_CHECK(dupstrip::repair_utf8(rep) == rep);

  // A suffix from an input-chosen cut, checked against the reference too: it moves the input
  // against the 8-bytes-at-a-time ASCII fast path.
  if (size > 0) {
    const std::size_t cut = data[0] % size;
    const std::string_view tail = in.substr(cut);
    FUZZ_CHECK(dupstrip::check_utf8(tail).error_count == reference(tail).errors);
  }
  return 0;
}
