// The scale-out steps at library level (include/dupstrip/scaleout.hpp): scan_shard, merge_shards
// and the content rounds over an in-memory corpus split into shards decide exactly what
// deduper::run decides over the whole corpus; unusable files throw format_error; shard
// identities follow the documents' names and groups.
#include "support/corpus.hpp"

#include <dupstrip/pipeline.hpp>
#include <dupstrip/scaleout.hpp>

#include <catch2/catch.hpp>

#include "support/memory_source.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

using namespace dupstrip;
using dupstrip_test::memory_source;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using dupstrip_test::read_text;
using dupstrip_test::temp_dir;
using dupstrip_test::write_text;

namespace {


// Binary files are compared without printing them.
bool same_bytes(const fs::path& a, const fs::path& b) { return read_text(a) == read_text(b); }

// A word made of letters only (digits would be masked in line keys).
std::string word(int n) {
  std::string w = "w";
  for (; n > 0; n /= 26) w += static_cast<char>('a' + n % 26);
  return w;
}

std::string line_of(int& next_word, int words) {
  std::string s;
  for (int w = 0; w < words; ++w) s += (w != 0 ? " " : "") + word(next_word++);
  return s + ".\n";
}

// Pages of the test generator (three sites with furniture, syndicated and exact copies, bodies
// printed twice), plus documents that are skipped or degenerate.
std::vector<memory_source::doc> generated_docs() {
  dupstrip_test::corpus_params p;
  p.sites = 3;
  p.articles_per_site = 12;
  p.p_repeat = 0.3;
  p.p_syndicate = 0.35;
  p.p_exact = 0.1;
  std::vector<memory_source::doc> docs;
  for (const auto& [rel, page] : dupstrip_test::generate_corpus(p, 4711).pages)
    docs.push_back({rel.substr(0, rel.find('/')), rel, page});
  // Spread among the pages: an unreadable one, an empty one, invalid UTF-8, a binary one.
  docs.insert(docs.begin() + 5, {"odd", "odd/unreadable", "", std::make_error_code(std::errc::permission_denied)});
  docs.insert(docs.begin() + 17, {"odd", "odd/empty", ""});
  docs.insert(docs.begin() + 23, {"odd", "odd/latin1", "caf\xE9 au lait, cr\xE8me br\xFBl\xE9" "e\nsecond line\n"});
  docs.insert(docs.begin() + 30, {"odd", "odd/binary", std::string("abc\0def\n", 8)});
  return docs;
}

// A site whose pages need a second content round at threshold 0.6 (the refine check,
// doc/algorithm.md step 8): heavy furniture makes the pages with short bodies one
// pre-cluster, so the line they share counts once; kept apart by their content, they carry it
// on enough kept pages for it to be boilerplate, and are fingerprinted again.
std::vector<memory_source::doc> refine_docs() {
  int next = 1;
  std::vector<std::string> furniture;
  for (int k = 0; k < 25; ++k) furniture.push_back(line_of(next, 10));
  std::vector<memory_source::doc> docs;
  for (int i = 0; i < 9; ++i) {
    const bool short_body = i == 0 || i == 2 || i == 4 || i == 5;
    std::string page;
    for (int k = 0; k < 12; ++k) page += furniture[static_cast<std::size_t>(k)];
    for (int k = 0; k < (short_body ? 5 : 8); ++k) page += line_of(next, short_body ? 12 : 40);
    if (short_body) page += "Also see the winter walking guide for families\n";
    for (int k = 12; k < 25; ++k) page += furniture[static_cast<std::size_t>(k)];
    docs.push_back({"refine", "refine/page-" + std::to_string(i), page});
  }
  return docs;
}

struct sharded {
  run_decisions decisions;
  std::vector<memory_source> shards;
  std::vector<fs::path> states;  // every state written, the complete one last
  merge_status first_status;
};

// scan_shard, merge_shards and content rounds over `all` cut at `cuts` (shard starts after the
// first), the files in `dir`.
sharded run_sharded(const memory_source& all, const std::vector<std::size_t>& cuts, const clean_options& o,
                    const fs::path& dir) {
  sharded out{};
  std::vector<std::size_t> starts{0};
  starts.insert(starts.end(), cuts.begin(), cuts.end());
  starts.push_back(all.size());
  std::vector<fs::path> files;
  for (std::size_t k = 0; k + 1 < starts.size(); ++k) {
    out.shards.push_back(all.slice(starts[k], starts[k + 1] - starts[k]));
    files.push_back(dir / ("f-" + std::to_string(k) + ".dsfp"));
    REQUIRE_FALSE(scan_shard(out.shards[k], o, "shard-" + std::to_string(k), files[k]));
  }
  out.states.push_back(dir / "s0.dsm");
  merge_status st = merge_shards(files, nullptr, out.states.back(), 2);
  out.first_status = st;
  CHECK(st.round == 0);
  CHECK(st.documents == all.size());
  REQUIRE(st.shards.size() == out.shards.size());
  for (std::size_t k = 0; k < st.shards.size(); ++k) {
    CHECK(st.shards[k].label == "shard-" + std::to_string(k));
    CHECK(st.shards[k].first == starts[k]);
    CHECK(st.shards[k].documents == out.shards[k].size());
    CHECK(st.shards[k].key == identify_shard(out.shards[k], "shard-" + std::to_string(k)).key);
  }
  while (!st.complete) {
    REQUIRE(st.round < 8);
    // Content files only for shards with pending documents: the others need none.
    std::vector<fs::path> content;
    for (std::size_t k = 0; k < out.shards.size(); ++k) {
      if (st.shards[k].pending == 0) continue;
      content.push_back(dir / ("c" + std::to_string(st.round) + "-" + std::to_string(k) + ".dsfp"));
      REQUIRE_FALSE(scan_shard_content(out.shards[k], "shard-" + std::to_string(k), out.states.back(),
                                       content.back(), 2));
    }
    const fs::path next = dir / ("s" + std::to_string(st.round + 1) + ".dsm");
    const std::uint32_t round = st.round;
    st = merge_shards(content, &out.states.back(), next, 2);
    CHECK(st.round == round + 1);
    CHECK(st.notes.empty());
    out.states.push_back(next);
  }
  out.decisions = run_decisions::load(out.states.back());
  return out;
}

void check_same_result(const doc_result& a, const doc_result& b, const std::vector<removal>& ar,
                       const std::vector<removal>& br) {
  CHECK(static_cast<int>(a.status) == static_cast<int>(b.status));
  CHECK(a.error == b.error);
  CHECK(a.error_offset == b.error_offset);
  CHECK(a.bytes == b.bytes);
  CHECK(a.kept_bytes == b.kept_bytes);
  CHECK(a.content_tokens == b.content_tokens);
  CHECK(a.lines == b.lines);
  CHECK(a.removed_lines == b.removed_lines);
  CHECK(a.cluster == b.cluster);
  CHECK(a.duplicate_of == b.duplicate_of);
  CHECK(a.similarity == b.similarity);
  CHECK(a.utf8_replacements == b.utf8_replacements);
  CHECK(a.strip_limited == b.strip_limited);
  REQUIRE(ar.size() == br.size());
  for (std::size_t r = 0; r < ar.size(); ++r) {
    CHECK(ar[r].begin == br[r].begin);
    CHECK(ar[r].end == br[r].end);
    CHECK(static_cast<int>(ar[r].reason) == static_cast<int>(br[r].reason));
    CHECK(ar[r].pages == br[r].pages);
    CHECK(ar[r].group_pages == br[r].group_pages);
  }
}

// The kept pieces of every kept document, joined (document index -> text).
std::map<std::size_t, std::string> applied(const document_source& src, analysis a, std::size_t offset = 0) {
  std::map<std::size_t, std::string> out;
  std::mutex mu;
  const std::error_code ec = apply(
      src, a,
      [&](std::size_t i, std::span<const std::string_view> pieces) {
        std::string s;
        for (const std::string_view p : pieces) s += p;
        const std::lock_guard<std::mutex> lock(mu);
        out[offset + i] = s;
        return std::error_code{};
      },
      2);
  CHECK_FALSE(ec);
  return out;
}

}  // namespace

TEST_CASE("scale-out over 2 shards decides what deduper::run decides", "[unit][scaleout]") {
  struct config {
    const char* what;
    std::vector<memory_source::doc> docs;
    clean_options options;
    std::uint32_t min_rounds;
  };
  std::vector<config> configs;
  configs.push_back({"generated sites, default options", generated_docs(), clean_options{}, 1});
  {
    clean_options o;
    o.threshold = 0.6;
    o.keep = keep_policy::first;
    std::vector<memory_source::doc> docs = refine_docs();
    for (auto& d : generated_docs()) docs.push_back(std::move(d));
    configs.push_back({"a site needing a second content round, threshold 0.6, keep first", docs, o, 2});
  }
  for (config& c : configs) {
    INFO(c.what);
    c.options.jobs = 2;
    const memory_source all(c.docs);
    const analysis expected = deduper(c.options).run(all);
    REQUIRE(expected.docs.size() == all.size());
    std::size_t dropped = 0;
    for (const doc_result& r : expected.docs) dropped += r.status == doc_status::dropped ? 1 : 0;
    REQUIRE(dropped > 0);

    // Cut in the middle, and right after the first document.
    for (const std::size_t cut : {all.size() / 2, std::size_t{1}}) {
      INFO("shards cut at " << cut);
      temp_dir t;
      const sharded s = run_sharded(all, {cut}, c.options, t.path());
      const run_decisions& d = s.decisions;
      CHECK(d.status.complete);
      CHECK(d.status.round >= c.min_rounds);
      CHECK(d.options.threshold == c.options.threshold);
      CHECK(static_cast<int>(d.options.keep) == static_cast<int>(c.options.keep));
      CHECK(state_options(s.states.front()).threshold == c.options.threshold);
      REQUIRE(d.size() == all.size());
      REQUIRE(d.decisions.docs.size() == all.size());
      for (std::size_t i = 0; i < all.size(); ++i) {
        INFO("document " << i << " " << all.name(i));
        CHECK(d.name(i) == all.name(i));
        CHECK(d.group(i) == all.group(i));
        check_same_result(d.decisions.docs[i], expected.docs[i], d.decisions.removals.get(i),
                          expected.removals.get(i));
      }
      CHECK_FALSE(d.read(0));  // the text is in the shards
      CHECK(d.decisions.boilerplate_lines == expected.boilerplate_lines);
      REQUIRE(d.decisions.top_boilerplate.size() == expected.top_boilerplate.size());
      for (std::size_t k = 0; k < expected.top_boilerplate.size(); ++k) {
        CHECK(d.decisions.top_boilerplate[k].text == expected.top_boilerplate[k].text);
        CHECK(d.decisions.top_boilerplate[k].group == expected.top_boilerplate[k].group);
        CHECK(d.decisions.top_boilerplate[k].pages == expected.top_boilerplate[k].pages);
        CHECK(d.decisions.top_boilerplate[k].group_pages == expected.top_boilerplate[k].group_pages);
      }

      // Loading one shard's decisions (as apply does), then applying each shard, writes what
      // applying the whole analysis writes.
      const auto want = applied(all, expected);
      std::map<std::size_t, std::string> got;
      for (std::size_t k = 0; k < s.shards.size(); ++k) {
        const std::uint64_t key = identify_shard(s.shards[k], "shard-" + std::to_string(k)).key;
        const run_decisions one = run_decisions::load(s.states.back(), &key);
        const merge_shard& m = one.status.shards[k];
        REQUIRE(m.key == key);
        analysis local;
        local.docs.assign(one.decisions.docs.begin() + static_cast<std::ptrdiff_t>(m.first),
                          one.decisions.docs.begin() + static_cast<std::ptrdiff_t>(m.first + m.documents));
        local.removals = removal_table(local.docs.size(), "");
        for (std::size_t i = 0; i < local.docs.size(); ++i) {
          INFO("shard " << k << " document " << i);
          local.removals.set(i, one.decisions.removals.get(m.first + i));
          check_same_result(local.docs[i], expected.docs[m.first + i], local.removals.get(i),
                            expected.removals.get(m.first + i));
        }
        for (auto& [i, text] : applied(s.shards[k], local, m.first)) got[i] = text;
      }
      CHECK(got == want);
    }
  }
}

TEST_CASE("scale-out: a shard given twice, or its content file given twice, is counted once", "[unit][scaleout]") {
  const memory_source all(generated_docs());
  clean_options o;
  o.jobs = 1;
  temp_dir t;
  const std::size_t cut = all.size() / 3;
  const memory_source a = all.slice(0, cut);
  const memory_source b = all.slice(cut, all.size() - cut);
  REQUIRE_FALSE(scan_shard(a, o, "a", t.path() / "a.dsfp"));
  REQUIRE_FALSE(scan_shard(b, o, "b", t.path() / "b.dsfp"));
  REQUIRE_FALSE(scan_shard(a, o, "a", t.path() / "a2.dsfp"));  // a retried task
  CHECK(same_bytes(t.path() / "a.dsfp", t.path() / "a2.dsfp"));
  const merge_status once = merge_shards({t.path() / "a.dsfp", t.path() / "b.dsfp"}, nullptr, t.path() / "1.dsm", 1);
  const merge_status twice = merge_shards({t.path() / "a.dsfp", t.path() / "a2.dsfp", t.path() / "b.dsfp"}, nullptr,
                                          t.path() / "2.dsm", 1);
  CHECK(once.notes.empty());
  REQUIRE(twice.notes.size() == 1);
  CHECK_THAT(twice.notes[0], Contains((t.path() / "a2.dsfp").string()) && Contains("counted once"));
  CHECK(twice.documents == all.size());
  CHECK(same_bytes(t.path() / "1.dsm", t.path() / "2.dsm"));

  const fs::path s1 = t.path() / "1.dsm";
  REQUIRE_FALSE(scan_shard_content(a, "a", s1, t.path() / "ca.dsfp", 1));
  REQUIRE_FALSE(scan_shard_content(b, "b", s1, t.path() / "cb.dsfp", 1));
  const merge_status c1 = merge_shards({t.path() / "ca.dsfp", t.path() / "cb.dsfp"}, &s1, t.path() / "c1.dsm", 1);
  const merge_status c2 =
      merge_shards({t.path() / "cb.dsfp", t.path() / "ca.dsfp", t.path() / "cb.dsfp"}, &s1, t.path() / "c2.dsm", 1);
  CHECK(c2.notes.size() == 1);
  CHECK(c1.round == 1);
  CHECK(c2.round == 1);
  CHECK(same_bytes(t.path() / "c1.dsm", t.path() / "c2.dsm"));
}

TEST_CASE("scale-out: unusable files throw format_error naming the file", "[unit][scaleout]") {
  const memory_source all(generated_docs());
  clean_options o;
  o.jobs = 2;
  temp_dir t;
  const std::size_t cut = all.size() / 2;
  const memory_source a = all.slice(0, cut);
  const memory_source b = all.slice(cut, all.size() - cut);
  const fs::path fa = t.path() / "a.dsfp";
  const fs::path fb = t.path() / "b.dsfp";
  REQUIRE_FALSE(scan_shard(a, o, "a", fa));
  REQUIRE_FALSE(scan_shard(b, o, "b", fb));
  const std::string whole = read_text(fb);
  const fs::path out = t.path() / "out.dsm";

  for (const std::size_t size : {std::size_t{16}, whole.size() / 2, whole.size() - 1}) {
    INFO("truncated to " << size << " bytes");
    const fs::path cut_file = t.path() / ("cut-" + std::to_string(size) + ".dsfp");
    write_text(cut_file, whole.substr(0, size));
    CHECK_THROWS_AS(merge_shards({fa, cut_file}, nullptr, out, 2), format_error);
    CHECK_THROWS_WITH(merge_shards({fa, cut_file}, nullptr, out, 2),
                      Contains(cut_file.string() + ": ") && Contains("truncated"));
    CHECK_FALSE(fs::exists(out));
  }
  CHECK_THROWS_WITH(merge_shards({fa, fb, t.path() / "missing.dsfp"}, nullptr, out, 2),
                    Contains((t.path() / "missing.dsfp").string()));
  CHECK_THROWS_AS(merge_shards({}, nullptr, out, 2), format_error);

  // Other options.
  clean_options other = o;
  other.num_perm = 64;
  REQUIRE_FALSE(scan_shard(b, other, "b", t.path() / "b64.dsfp"));
  CHECK_THROWS_WITH(merge_shards({fa, t.path() / "b64.dsfp"}, nullptr, out, 2),
                    Contains((t.path() / "b64.dsfp").string()) && Contains("num_perm 64 vs 128"));
  CHECK_FALSE(fs::exists(out));

  // A state: truncated, of the wrong kind, not holding the shard, missing a content file.
  const fs::path s0 = t.path() / "s0.dsm";
  const merge_status st = merge_shards({fa, fb}, nullptr, s0, 2);
  REQUIRE_FALSE(st.complete);
  const std::string state = read_text(s0);
  const fs::path cut_state = t.path() / "cut.dsm";
  write_text(cut_state, state.substr(0, state.size() - 1));
  CHECK_THROWS_WITH(run_decisions::load(cut_state), Contains(cut_state.string() + ": ") && Contains("truncated"));
  CHECK_THROWS_AS(scan_shard_content(a, "a", cut_state, t.path() / "c.dsfp", 2), format_error);
  CHECK_FALSE(fs::exists(t.path() / "c.dsfp"));
  write_text(cut_state, state.substr(0, 10));
  CHECK_THROWS_WITH(state_options(cut_state), Contains(cut_state.string() + ": ") && Contains("not a dupstrip"));
  CHECK_THROWS_WITH(state_options(fa), Contains(fa.string() + ": ") && Contains("expected a merge state file"));
  CHECK_THROWS_WITH(merge_shards({fa, s0}, nullptr, out, 2),
                    Contains(s0.string() + ": ") && Contains("is a merge state file, expected a scan fingerprint file"));
  CHECK_THROWS_WITH(scan_shard_content(all, "all", s0, t.path() / "c.dsfp", 2), Contains("does not hold this shard"));
  CHECK_FALSE(fs::exists(t.path() / "c.dsfp"));
  REQUIRE_FALSE(scan_shard_content(a, "a", s0, t.path() / "ca.dsfp", 2));
  CHECK_THROWS_WITH(merge_shards({t.path() / "ca.dsfp"}, &s0, out, 2),
                    Contains("no content fingerprints for shard b") && Contains("round 0"));
  CHECK_FALSE(fs::exists(out));

  // Invalid options are a config_error, before any file is written.
  clean_options bad = o;
  bad.threshold = 1.5;
  CHECK_THROWS_AS(scan_shard(a, bad, "a", t.path() / "bad.dsfp"), config_error);
  CHECK_FALSE(fs::exists(t.path() / "bad.dsfp"));
}

TEST_CASE("identify_shard: a key over the label and the documents' names and groups", "[unit][scaleout]") {
  const std::vector<memory_source::doc> docs = {
      {"site-a", "site-a/one.txt", "first text\n"},
      {"site-a", "site-a/two.txt", "second text\n"},
      {"site-b", "site-b/three.txt", "third text\n"},
  };
  const memory_source s1(docs);
  const memory_source s2(docs);
  const shard_identity id1 = identify_shard(s1, "part-0");
  const shard_identity id2 = identify_shard(s2, "part-0");
  CHECK(id1.label == "part-0");
  CHECK(id1.documents == 3);
  CHECK(id1.key == id2.key);  // equal sources given the same way: one shard (a retried task)
  // Two shards with the same names and groups are two shards (JSONL files with the same ids).
  CHECK(identify_shard(s2, "part-1").key != id1.key);

  auto key_with = [&](auto change) {
    std::vector<memory_source::doc> d = docs;
    change(d);
    return identify_shard(memory_source(d), "part-0").key;
  };
  // The text is not part of the key.
  CHECK(key_with([](auto& d) { d[1].text = "other text\n"; }) == id1.key);
  CHECK(key_with([](auto& d) { d[1].name = "site-a/TWO.txt"; }) != id1.key);
  CHECK(key_with([](auto& d) { d[2].group = "site-c"; }) != id1.key);
  CHECK(key_with([](auto& d) { std::swap(d[0], d[1]); }) != id1.key);
  CHECK(key_with([](auto& d) { d.pop_back(); }) != id1.key);
  // Names and groups are delimited: moving bytes from a name to its group changes the key.
  CHECK(key_with([](auto& d) {
          d[0].name = "site-a/one.tx";
          d[0].group = "tsite-a";
        }) != id1.key);
  CHECK(identify_shard(memory_source({}), "").documents == 0);
  CHECK(identify_shard(memory_source({}), "").key != identify_shard(memory_source({}), "x").key);
}
