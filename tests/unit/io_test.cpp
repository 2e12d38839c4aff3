#include "support/corpus.hpp"

#include <dupstrip/io.hpp>

#include <catch2/catch.hpp>

#include <sys/stat.h>

using namespace dupstrip;
namespace fs = std::filesystem;

TEST_CASE("walk_folder lists regular files in bytewise order and reports the rest", "[unit][io]") {
  dupstrip_test::temp_dir t;
  dupstrip_test::write_text(t.path() / "b/2.txt", "x");
  dupstrip_test::write_text(t.path() / "a/z.txt", "x");
  dupstrip_test::write_text(t.path() / "a/B.txt", "x");
  fs::create_symlink(t.path() / "a/z.txt", t.path() / "link.txt");
  REQUIRE(::mkfifo((t.path() / "fifo").c_str(), 0600) == 0);
  const walk_result w = walk_folder(t.path());
  REQUIRE(w.files.size() == 3);
  CHECK(w.files[0].relative == "a/B.txt");
  CHECK(w.files[1].relative == "a/z.txt");
  CHECK(w.files[2].relative == "b/2.txt");
  CHECK(w.issues.size() == 2);  // the link and the FIFO
  for (const auto& i : w.issues) CHECK(i.error == make_error_code(errc::not_regular_file));
}

TEST_CASE("read_file: bounded, errors as codes", "[unit][io]") {
  dupstrip_test::temp_dir t;
  dupstrip_test::write_text(t.path() / "f.txt", "hello");
  CHECK(read_file(t.path() / "f.txt", 100).value() == "hello");
  CHECK(read_file(t.path() / "f.txt", 4).error() == make_error_code(errc::too_large));
  CHECK(read_file(t.path() / "missing.txt", 100).error() == std::errc::no_such_file_or_directory);
  CHECK(read_file(t.path(), 100).error());
}

TEST_CASE("atomic files appear complete or not at all", "[unit][io]") {
  dupstrip_test::temp_dir t;
  const fs::path target = t.path() / "sub/out.txt";
  {
    atomic_file f(target);
    REQUIRE(!f.error());
    f.write("partial");
    CHECK(!fs::exists(target));
  }  // destroyed without commit: nothing left behind
  CHECK(!fs::exists(target));
  CHECK(fs::is_empty(t.path() / "sub"));
  const std::string_view pieces[] = {"one ", "two"};
  REQUIRE(!write_file_atomic(target, pieces));
  CHECK(dupstrip_test::read_text(target) == "one two");
  dupstrip_test::write_text(t.path() / "afile", "x");
  CHECK(write_file_atomic(t.path() / "afile" / "x", pieces));  // parent is a file: ENOTDIR
}

TEST_CASE("walk_files reports issues in path order and skips unreadable folders' contents", "[unit][io]") {
  dupstrip_test::temp_dir t;
  dupstrip_test::write_text(t.path() / "m/keep.txt", "x");
  fs::create_symlink(t.path() / "m/keep.txt", t.path() / "z-link");
  fs::create_symlink(t.path() / "m", t.path() / "m/a-link-to-folder");  // not followed
  REQUIRE(::mkfifo((t.path() / "m/fifo").c_str(), 0600) == 0);
  std::vector<walk_issue> issues{{"earlier issue", {}}};
  const file_list files = walk_files(t.path(), issues);
  REQUIRE(files.size() == 1);
  CHECK(files.relative(0) == "m/keep.txt");
  CHECK(files.path(0) == t.path() / "m/keep.txt");
  REQUIRE(issues.size() == 4);
  CHECK(issues[0].path == "earlier issue");  // what was there stays first
  CHECK(issues[1].path == (t.path() / "m/a-link-to-folder").string());
  CHECK(issues[2].path == (t.path() / "m/fifo").string());
  CHECK(issues[3].path == (t.path() / "z-link").string());
  std::vector<walk_issue> missing;
  CHECK(walk_files(t.path() / "nope", missing).empty());
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].error == std::errc::no_such_file_or_directory);
}

TEST_CASE("output_folder writes atomically below its folder", "[unit][io]") {
  dupstrip_test::temp_dir t;
  const output_folder out(t.path());
  REQUIRE(!out.error());
  const std::string_view pieces[] = {"kept ", "bytes"};
  REQUIRE(!out.write("site/deeper/page.txt", pieces));
  CHECK(dupstrip_test::read_text(t.path() / "site/deeper/page.txt") == "kept bytes");
  std::size_t entries = 0;
  for (const auto& e : fs::recursive_directory_iterator(t.path())) entries += e.is_regular_file() ? 1U : 0U;
  CHECK(entries == 1);  // no temporary left behind
  dupstrip_test::write_text(t.path() / "afile", "x");
  CHECK(out.write("afile/x", pieces));  // parent is a file
  const output_folder missing(t.path() / "absent");
  CHECK(missing.error() == std::errc::no_such_file_or_directory);
  CHECK(missing.write("a.txt", pieces) == std::errc::no_such_file_or_directory);
}

TEST_CASE("path_is_within resolves . and ..", "[unit][io]") {
  dupstrip_test::temp_dir t;
  fs::create_directories(t.path() / "in/sub");
  CHECK(path_is_within(t.path() / "in", t.path() / "in"));
  CHECK(path_is_within(t.path() / "in/sub/../sub/new", t.path() / "in"));
  CHECK_FALSE(path_is_within(t.path() / "out", t.path() / "in"));
  CHECK_FALSE(path_is_within(t.path() / "input2", t.path() / "in"));
}
