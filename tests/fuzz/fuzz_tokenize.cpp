// Fuzzing of tokenize / normalize under every utf8_policy and every normalize_options
// combination: offsets in range, increasing and non-overlapping; tokens non-empty; token kinds
// consistent with the options; normalize() equal to the tokens' normalised texts joined by
// spaces (checked through their hashes); plus differential checks between modes that must
// agree (strict tokenises like replace; on valid UTF-8 bytes does too; case and punctuation
// folding change hashes, never boundaries).
#include "fuzz_check.hpp"

#include <dupstrip/text.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace dupstrip;

constexpr std::uint64_t sentinel_hash = 0x5E17E1ULL;

bool same_tokens(const std::vector<token>& a, const std::vector<token>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].hash != b[i].hash || a[i].begin != b[i].begin || a[i].end != b[i].end || a[i].kind != b[i].kind)
      return false;
  return true;
}

bool same_boundaries(const std::vector<token>& a, const std::vector<token>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].begin != b[i].begin || a[i].end != b[i].end || a[i].kind != b[i].kind) return false;
  return true;
}

/// Tokenises with a sentinel already in `out` (tokenize appends) and returns the new tokens.
std::vector<token> run_tokenize(std::string_view text, const normalize_options& o, utf8_policy p) {
  std::vector<token> out{token{sentinel_hash, 7, 9, token_kind::word}};
  tokenize(text, o, out, p);
  FUZZ_CHECK(!out.empty() && out[0].hash == sentinel_hash && out[0].begin == 7 && out[0].end == 9);
  out.erase(out.begin());
  return out;
}

void check_one(std::string_view text, const normalize_options& o, utf8_policy p,
               const std::vector<token>& toks) {
  const bool text_valid = is_valid_utf8(text);
  std::uint32_t prev_end = 0;
  for (const token& t : toks) {
    FUZZ_CHECK(t.begin < t.end);
    FUZZ_CHECK(t.end <= text.size());
    FUZZ_CHECK(t.begin >= prev_end);
    prev_end = t.end;
    const std::string_view bytes = text.substr(t.begin, t.end - t.begin);
    // No token but a masked number run ("1 2 3" is one "#") holds white space.
    if (t.kind != token_kind::number)
      FUZZ_CHECK(bytes.find_first_of(" \t\n\r\f\v") == std::string_view::npos);
    switch (t.kind) {
      case token_kind::raw_byte:
        FUZZ_CHECK(p == utf8_policy::bytes);
        FUZZ_CHECK(!text_valid);
        FUZZ_CHECK(bytes.size() == 1 && static_cast<unsigned char>(bytes[0]) >= 0x80U);
        break;
      case token_kind::number:
        FUZZ_CHECK(o.mask_digits);
        FUZZ_CHECK(t.hash == token_hash("#"));
        break;
      case token_kind::word:
        FUZZ_CHECK(is_valid_utf8(bytes));
        // Joiners are only inside words.
        FUZZ_CHECK(bytes.front() != '\'' && bytes.front() != '-');
        FUZZ_CHECK(bytes.back() != '\'' && bytes.back() != '-');
        if (!o.case_fold && !o.fold_punctuation) FUZZ_CHECK(t.hash == token_hash(bytes));
        break;
      case token_kind::character:
        FUZZ_CHECK(is_valid_utf8(bytes));
        FUZZ_CHECK(static_cast<unsigned char>(bytes[0]) >= 0x80U);
        break;
    }
  }

  // normalize() is the normalised token texts joined by single spaces.
  const std::string norm = normalize(text, o, p);
  if (p != utf8_policy::bytes) FUZZ_CHECK(is_valid_utf8(norm));
  std::size_t pos = 0;
  std::size_t k = 0;
  if (!norm.empty()) {
    while (true) {
      const std::size_t sp = norm.find(' ', pos);
      const std::string_view piece = std::string_view(norm).substr(pos, sp == std::string::npos ? sp : sp - pos);
      FUZZ_CHECK(!piece.empty());
      FUZZ_CHECK(k < toks.size());
      FUZZ_CHECK(token_hash(piece) == toks[k].hash);
      ++k;
      if (sp == std::string::npos) break;
      pos = sp + 1;
    }
  }
  FUZZ_CHECK(k == toks.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool valid = is_valid_utf8(text);
  const utf8_policy policies[] = {utf8_policy::replace, utf8_policy::strict, utf8_policy::bytes};

  // all[policy][options bits]
  std::vector<token> all[3][8];
  for (std::size_t pi = 0; pi < 3; ++pi) {
    for (unsigned bits = 0; bits < 8; ++bits) {
      const normalize_options o{(bits & 1U) != 0, (bits & 2U) != 0, (bits & 4U) != 0};
      all[pi][bits] = run_tokenize(text, o, policies[pi]);
      check_one(text, o, policies[pi], all[pi][bits]);
    }
  }
  for (unsigned bits = 0; bits < 8; ++bits) {
    // strict: the caller skips invalid documents; tokenize itself acts as replace.
    FUZZ_CHECK(same_tokens(all[0][bits], all[1][bits]));
    // On valid UTF-8 there is no invalid byte, so bytes == replace.
    if (valid) FUZZ_CHECK(same_tokens(all[0][bits], all[2][bits]));
    // Folding changes what is hashed, never where tokens are.
    for (std::size_t pi = 0; pi < 3; ++pi)
      FUZZ_CHECK(same_boundaries(all[pi][bits], all[pi][bits & 4U]));
  }
  return 0;
}
