// Fuzzing of the scale-out file readers (scaleout.hpp, doc/scaleout.md) with hostile files.
//
// Input: byte 0 chooses what the file is given to (mod 5), and whether the harness first
// repairs the checksums (>= 5: every section's checksum and the END digest are recomputed, so
// that mutations reach the payload parsers instead of stopping at a checksum); the rest is the
// file's bytes:
//   0: merge_shards({file})                 a pass-1 fingerprint file (SCAN)
//   1: merge_shards({file}, &state)         a content file (CONT) of a valid state
//   2: run_decisions::load(file)            a state file (STAT), whole
//   3: run_decisions::load(file, &key)      a state file, one shard's records only
//   4: state_options(file)                  a state file's head
//
// Properties: the readers never crash, hang or read out of bounds (ASan/UBSan); they fail only
// with format_error (or config_error for invalid options it holds); a failed merge leaves no
// output file; a successful merge writes a state that loads again, and the state's decisions
// cover every document.
//
// The seed corpus (corpus/shardfile/) holds valid files of each kind, made from a small corpus
// with the dupstrip binary, behind their selector byte.
#include "fuzz_check.hpp"

#include <dupstrip/error.hpp>
#include <dupstrip/pipeline.hpp>
#include <dupstrip/scaleout.hpp>

#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace dupstrip;

class memory_source final : public document_source {
 public:
  explicit memory_source(std::vector<std::pair<std::string, std::string>> docs) : docs_(std::move(docs)) {}
  [[nodiscard]] std::size_t size() const override { return docs_.size(); }
  [[nodiscard]] std::string_view name(std::size_t i) const override { return docs_[i].first; }
  [[nodiscard]] std::string_view group(std::size_t) const override { return "site"; }
  [[nodiscard]] result<std::string> read(std::size_t i) const override { return docs_[i].second; }

 private:
  std::vector<std::pair<std::string, std::string>> docs_;
};

// A private folder for the files, removed at exit.
struct scratch_dir {
  fs::path path;
  scratch_dir() : path(fs::temp_directory_path() / ("dupstrip-fuzz-shardfile-" + std::to_string(::getpid()))) {
    fs::create_directories(path);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const fs::path& work_dir() {
  static const scratch_dir dir;
  return dir.path;
}

// A valid state (round 0, content pending) of a three-document shard, for content files.
struct fixture {
  fs::path state;
  std::uint64_t key = 0;
};
const fixture& valid_state() {
  static const fixture f = [] {
    fixture x;
    // The documents, names, group and label of the seed files (corpus/shardfile/README), so
    // that the seed content file answers this very state.
    const memory_source src(
        {{"site/a.txt", "Header of the site\nAn article about rivers and boats.\nFooter line here\n"},
         {"site/b.txt", "Header of the site\nA second article on mountains.\nFooter line here\n"},
         {"site/c.txt", "Header of the site\nAn article about rivers and boats.\nFooter line here\n"}});
    clean_options o;
    o.jobs = 1;
    const fs::path scan = work_dir() / "fixture.dsfp";
    x.state = work_dir() / "fixture.dsm";
    FUZZ_CHECK(!scan_shard(src, o, "list", scan));
    (void)merge_shards({scan}, nullptr, x.state, 1);
    x.key = identify_shard(src, "list").key;
    return x;
  }();
  return f;
}

void write_file(const fs::path& p, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  FUZZ_CHECK(out.good());
}

// Recomputes the section checksums and the END section of a file in the container format of
// doc/scaleout.md, keeping every other byte; a section that runs past the end is cut.
std::string repair(std::string f) {
  if (f.size() < 16) return f;
  std::size_t pos = 16;
  std::vector<std::uint64_t> sums;
  while (pos + 16 <= f.size()) {
    char tag[4];
    std::memcpy(tag, f.data() + pos, 4);
    std::uint64_t len = 0;
    std::memcpy(&len, f.data() + pos + 8, 8);
    const std::size_t start = pos + 16;
    if (len > f.size() - start) {
      len = f.size() - start;
      std::memcpy(f.data() + pos + 8, &len, 8);
    }
    const bool end = std::memcmp(tag, "END ", 4) == 0;
    if (end) {
      const auto aux = static_cast<std::uint32_t>(sums.size());
      std::memcpy(f.data() + pos + 4, &aux, 4);
      const std::uint64_t digest = XXH3_64bits_withSeed(sums.data(), sums.size() * 8, 0);
      f.resize(start);
      const std::uint64_t eight = 8;
      std::memcpy(f.data() + pos + 8, &eight, 8);
      f.append(reinterpret_cast<const char*>(&digest), 8);
      const std::uint64_t sum = XXH3_64bits_withSeed(&digest, 8, 8);
      f.append(reinterpret_cast<const char*>(&sum), 8);
      return f;
    }
    const std::uint64_t sum = XXH3_64bits_withSeed(f.data() + start, len, len);
    sums.push_back(sum);
    if (start + len + 8 > f.size()) f.resize(start + len + 8);
    std::memcpy(f.data() + start + len, &sum, 8);
    pos = start + len + 8;
  }
  return f;
}

void check_loads(const fs::path& state) {
  const run_decisions d = run_decisions::load(state);
  FUZZ_CHECK(d.decisions.docs.size() == d.size());
  FUZZ_CHECK(d.status.documents == d.size());
  std::uint64_t covered = 0;
  for (const merge_shard& s : d.status.shards) {
    FUZZ_CHECK(s.first == covered);
    covered += s.documents;
  }
  FUZZ_CHECK(covered == d.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int mode = data[0] % 5;
  const bool fix_sums = data[0] % 10 >= 5;
  const fixture& fx = valid_state();
  const fs::path in = work_dir() / "input.bin";
  const fs::path out = work_dir() / "out.dsm";
  if (fix_sums) {
    const std::string fixed = repair(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
    write_file(in, reinterpret_cast<const std::uint8_t*>(fixed.data()), fixed.size());
  } else {
    write_file(in, data + 1, size - 1);
  }
  std::error_code ec;
  fs::remove(out, ec);
  try {
    switch (mode) {
      case 0:
      case 1: {
        const merge_status st =
            mode == 0 ? merge_shards({in}, nullptr, out, 1) : merge_shards({in}, &fx.state, out, 1);
        FUZZ_CHECK(fs::exists(out));
        FUZZ_CHECK(st.documents == 0 || !st.shards.empty());
        check_loads(out);
        break;
      }
      case 2: check_loads(in); break;
      case 3: {
        const run_decisions d = run_decisions::load(in, &fx.key);
        FUZZ_CHECK(d.decisions.docs.size() == d.size());
        break;
      }
      default: (void)state_options(in); break;
    }
  } catch (const format_error&) {
    if (mode <= 1) FUZZ_CHECK(!fs::exists(out));
  } catch (const config_error&) {
    if (mode <= 1) FUZZ_CHECK(!fs::exists(out));
  }
  return 0;
}
