#include "support/corpus.hpp"

#include <dupstrip/io.hpp>
#include <dupstrip/jsonl.hpp>

#include "dupstrip/compress.hpp"
#include "dupstrip/parallel.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace dupstrip;
namespace fs = std::filesystem;
using dupstrip_test::read_text;
using dupstrip_test::temp_dir;
using dupstrip_test::write_text;

namespace {

std::string as_json(std::string_view s) {
  std::string out;
  CHECK(append_json_text(out, s) == 0);
  return out;
}

}  // namespace

TEST_CASE("append_json_text and decode_json_string round-trip every string", "[unit][jsonl]") {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls.push_back(static_cast<char>(c));
  all_controls += "\x7f\"\\/ plain é 中文 😀";
  for (const std::string& s : {std::string(), all_controls, std::string("line\r\nnext"),
                               std::string("\xED\xA0\x80 lone high, lone low \xED\xBF\xBF")}) {
    const std::string lit = as_json(s);
    INFO(lit);
    CHECK(decode_json_string(lit).value() == s);
  }
  CHECK(as_json("a\"b\\c\n\x01\x7f") == "\"a\\\"b\\\\c\\n\\u0001\\u007f\"");
  CHECK(as_json("\xED\xA0\x80") == "\"\\ud800\"");
}

TEST_CASE("append_json_text escapes exactly the bytes JSON needs, wherever they fall", "[unit][jsonl]") {
  // Runs of plain bytes are found eight at a time: every byte that ends a run must be found at
  // every position of a word, and none that does not.
  auto reference = [](std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto u = static_cast<unsigned char>(s[i]);
      if (u == 0xC3) {  // the test's only non-ASCII character, é
        out.append(s.substr(i, 2));
        ++i;
        continue;
      }
      switch (s[i]) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (u < 0x20 || u == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
          } else {
            out.push_back(s[i]);
          }
      }
    }
    return out + "\"";
  };
  const std::string alphabet[] = {"a", "Z", " ", "~", "!", "#", "[", "]", "\x1f", "\x01", "\x7f", "\"", "\\", "\n",
                                  "\t", "\xc3\xa9", "0", "A", "`", "{"};
  std::uint64_t state = 7;
  for (int round = 0; round < 20000; ++round) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string s;
    const std::size_t len = (state >> 33) % 40;
    for (std::size_t k = 0; k < len; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      // mostly plain letters, so that long plain runs cross word boundaries
      s += (state >> 60) < 10 ? std::string(1, static_cast<char>('a' + (state >> 40) % 26))
                              : alphabet[(state >> 33) % std::size(alphabet)];
    }
    std::string out;
    CHECK(append_json_text(out, s) == 0);
    REQUIRE(out == reference(s));
  }
}

TEST_CASE("decode_json_string: escapes, pairs, lone surrogates, errors", "[unit][jsonl]") {
  CHECK(decode_json_string(R"("\u00e9\ud83d\ude00\/")").value() == "\xC3\xA9\xF0\x9F\x98\x80/");
  CHECK(decode_json_string(R"("\ud800x")").value() == "\xED\xA0\x80x");
  CHECK(decode_json_string(R"("\udc00")").value() == "\xED\xB0\x80");
  CHECK(decode_json_string(R"("bad \q")").error() == make_error_code(errc::bad_format));
  CHECK(decode_json_string("\"raw\ncontrol\"").error() == make_error_code(errc::bad_format));
  CHECK(decode_json_string("no quotes").error() == make_error_code(errc::bad_format));
}

TEST_CASE("invalid UTF-8 that JSON cannot carry is written as U+FFFD and counted", "[unit][jsonl]") {
  std::string out;
  CHECK(append_json_text(out, "a\xC3(b\xFF") == 2);
  CHECK(out == "\"a\xEF\xBF\xBD(b\xEF\xBF\xBD\"");
}

TEST_CASE("is_jsonl_name and compression_for", "[unit][jsonl]") {
  CHECK(is_jsonl_name("a.jsonl"));
  CHECK(is_jsonl_name("dir/a.ndjson.gz"));
  CHECK(is_jsonl_name("a.jsonl.zst"));
  CHECK_FALSE(is_jsonl_name("a.json"));
  CHECK_FALSE(is_jsonl_name(".jsonl"));
  CHECK_FALSE(is_jsonl_name("a.txt.gz"));
  CHECK(compression_for("x.jsonl.gz") == compression::gzip);
  CHECK(compression_for("x.zst") == compression::zstd);
  CHECK(compression_for("x.jsonl") == compression::none);
}

TEST_CASE("group_key_of: URL host, else the value", "[unit][jsonl]") {
  CHECK(group_key_of("https://User@News.Example.COM:8080/a?b#c") == "news.example.com");
  CHECK(group_key_of("http://[::1]:80/x") == "[::1]");
  CHECK(group_key_of("example.com/page") == "example.com/page");
  CHECK(group_key_of("site-7") == "site-7");
}

TEST_CASE("jsonl_source indexes records, names, groups and reports bad lines", "[unit][jsonl]") {
  temp_dir t;
  write_text(t.path() / "in.jsonl",
             "{\"id\":\"a\",\"url\":\"https://x.org/1\",\"text\":\"Hello\\nworld\"}\n"
             "\n"
             "{\"text\":\"no id\",\"url\":\"https://y.org/2\"}\r\n"
             "{\"id\":7,\"text\":5}\n"
             "[1,2]\n"
             "{\"id\":\"c\" \"text\":\"x\"}\n"
             "{\"id\":8, \"text\" : \"lone \\udc00 end\" , \"z\":1}");
  jsonl_options o;
  o.group_field = "url";
  const jsonl_source s({{"in.jsonl", t.path() / "in.jsonl"}}, o);
  REQUIRE(s.size() == 3);
  CHECK(s.name(0) == "a");
  CHECK(s.group(0) == "x.org");
  CHECK(s.read(0).value() == "Hello\nworld");
  CHECK(s.name(1) == "in.jsonl:3");
  CHECK_FALSE(s.has_id(1));
  CHECK(s.group(1) == "y.org");
  CHECK(s.name(2) == "8");
  CHECK(s.line_of(2) == 7);
  CHECK(s.read(2).value() == "lone \xED\xB0\x80 end");
  const auto rec = s.read_record(2).value();
  CHECK(rec.line.substr(rec.text_begin, rec.text_end - rec.text_begin) == "\"lone \\udc00 end\"");
  CHECK(rec.terminator.empty());
  CHECK(s.read_record(1).value().terminator == "\r\n");
  REQUIRE(s.issues().size() == 4);
  CHECK(s.issues()[0].line == 4);
  CHECK(s.issues()[0].message == "\"text\" is not a string");
  CHECK(s.issues()[1].message == "not a JSON object");
  CHECK(s.issues()[2].line == 6);
  CHECK(s.issues()[2].message.rfind("invalid JSON: ", 0) == 0);
  CHECK(s.issues()[3].kind == jsonl_issue_kind::lone_surrogate);
}

TEST_CASE("every escaped lone surrogate is found, wherever it is", "[unit][jsonl]") {
  // The indexer searches a line for lone surrogates only when simdjson rejects it: this holds
  // simdjson to rejecting each kind (high, low, high before a non-surrogate, in a key).
  temp_dir t;
  write_text(t.path() / "in.jsonl",
             "{\"text\":\"a \\ud800 b\"}\n"
             "{\"text\":\"c \\udc00 d\"}\n"
             "{\"text\":\"e \\udbff\\u0041 f\"}\n"
             "{\"k\\udfff\":1,\"text\":\"g\"}\n"
             "{\"text\":\"pair \\ud83d\\ude00 ok\"}\n");
  const jsonl_source s({{"in.jsonl", t.path() / "in.jsonl"}}, {});
  REQUIRE(s.size() == 5);
  CHECK(s.read(0).value() == "a \xED\xA0\x80 b");
  CHECK(s.read(1).value() == "c \xED\xB0\x80 d");
  CHECK(s.read(2).value() == "e \xED\xAF\xBF" "A f");
  CHECK(s.read(3).value() == "g");
  CHECK(s.read(4).value() == "pair \xF0\x9F\x98\x80 ok");
  REQUIRE(s.issues().size() == 4);
  for (std::size_t k = 0; k < 4; ++k) {
    CHECK(s.issues()[k].kind == jsonl_issue_kind::lone_surrogate);
    CHECK(s.issues()[k].line == k + 1);
  }
}

TEST_CASE("jsonl_source stops at the first malformed line when asked", "[unit][jsonl]") {
  temp_dir t;
  write_text(t.path() / "in.jsonl", "{\"text\":\"a\"}\n{oops\n{\"text\":\"b\"}\n");
  jsonl_options o;
  o.stop_at_first_error = true;
  const jsonl_source s({{"in.jsonl", t.path() / "in.jsonl"}}, o);
  CHECK(s.size() == 1);
  REQUIRE(s.issues().size() == 1);
  CHECK(s.issues()[0].line == 2);
}

TEST_CASE("a big file indexed in parts gives the index of one thread", "[unit][jsonl]") {
  // 4 MiB a part: a file of about 13 MiB is cut in up to 4 parts. Its lines mix records with
  // and without ids, CRLF ends, blank lines, bad lines, lone surrogates, groups that first
  // appear in later parts, and a last line without a line feed.
  temp_dir t;
  std::string body;
  std::uint64_t state = 42;
  auto next = [&state] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
  const std::string filler(400, 'w');
  std::size_t line = 0;
  while (body.size() < (std::size_t{13} << 20)) {
    ++line;
    const std::uint64_t r = next() >> 33;
    const std::string group = "g" + std::to_string(r % (1 + line / 2000));
    const std::string text = filler + " " + std::to_string(line);
    switch (r % 23) {
      case 0: body += "{\"text\": broken"; break;
      case 1: break;  // blank
      case 2: body += "[1,2]"; break;
      case 3: body += "{\"id\":\"s" + std::to_string(line) + "\",\"text\":\"lone \\ud800 " + text + "\"}"; break;
      case 4: body += "{\"g\":\"" + group + "\",\"text\":\"" + text + "\"}"; break;
      default: body += "{\"id\":\"d" + std::to_string(line) + "\",\"g\":\"" + group + "\",\"text\":\"" + text + "\"}";
    }
    body += r % 7 == 0 ? "\r\n" : "\n";
  }
  body += "{\"text\":\"last, no line feed\"}";
  write_text(t.path() / "big.jsonl", body);
  for (const bool strict : {false, true}) {
    std::string strict_body;
    if (strict) {  // one bad line past the middle: the parts after its part are not used
      strict_body = body;
      const std::size_t at = strict_body.find('\n', strict_body.size() * 5 / 8);
      strict_body.insert(at + 1, "{oops\n");
      for (std::size_t k = 0; k < at; k = strict_body.find('\n', k) + 1)
        if (std::string_view(strict_body).substr(k).starts_with("{\"text\": b") ||
            std::string_view(strict_body).substr(k).starts_with("[1,2]"))
          strict_body.replace(k, strict_body.find('\n', k) - k, "{\"text\":\"fixed\"}");
      write_text(t.path() / "big.jsonl", strict_body);
    }
    jsonl_options one;
    one.group_field = "g";
    one.stop_at_first_error = strict;
    jsonl_options four = one;
    four.jobs = 4;
    const jsonl_source a({{"big.jsonl", t.path() / "big.jsonl"}}, one);
    const jsonl_source b({{"big.jsonl", t.path() / "big.jsonl"}}, four);
    INFO("strict " << strict);
    REQUIRE(a.size() > 1000);
    REQUIRE(a.size() == b.size());
    if (!strict) CHECK(a.bytes_indexed() == b.bytes_indexed());  // a stop leaves it where reading stopped
    for (std::size_t i = 0; i < a.size(); ++i) {
      INFO("record " << i);
      REQUIRE(a.name(i) == b.name(i));
      REQUIRE(a.group(i) == b.group(i));
      REQUIRE(a.line_of(i) == b.line_of(i));
      REQUIRE(a.has_id(i) == b.has_id(i));
      if (i % 97 == 0 || i + 1 == a.size()) REQUIRE(a.read(i).value() == b.read(i).value());
    }
    REQUIRE(a.issues().size() == b.issues().size());
    for (std::size_t k = 0; k < a.issues().size(); ++k) {
      CHECK(a.issues()[k].kind == b.issues()[k].kind);
      CHECK(a.issues()[k].line == b.issues()[k].line);
      CHECK(a.issues()[k].message == b.issues()[k].message);
    }
    if (strict) {
      REQUIRE(!a.issues().empty());
      CHECK(a.issues().back().message.rfind("invalid JSON", 0) == 0);
      CHECK(a.read(a.size() - 1).value() != "last, no line feed");
    } else {
      CHECK(a.read(a.size() - 1).value() == "last, no line feed");
    }
  }
}

TEST_CASE("compressed JSONL is spooled and read like plain JSONL", "[unit][jsonl]") {
  temp_dir t;
  std::string plain;
  for (int i = 0; i < 3000; ++i) plain += "{\"id\":" + std::to_string(i) + ",\"text\":\"record " + std::to_string(i) + "\"}\n";
  for (const char* name : {"in.jsonl.gz", "in.jsonl.zst"}) {
    const std::string_view piece(plain);
    REQUIRE(!write_file_atomic(t.path() / name, std::span<const std::string_view>(&piece, 1), compression_for(name)));
    CHECK(read_text(t.path() / name) != plain);
    CHECK(read_file(t.path() / name, 1 << 30, compression_for(name)).value() == plain);
    const jsonl_source s({{name, t.path() / name}}, {});
    REQUIRE(s.size() == 3000);
    CHECK(s.issues().empty());
    CHECK(s.read(2999).value() == "record 2999");
    CHECK(s.name(1234) == "1234");
  }
}

TEST_CASE("corrupt or truncated compressed files are errors, not data", "[unit][jsonl]") {
  temp_dir t;
  const std::string text(100000, 'x');
  const std::string_view piece(text);
  for (const char* name : {"a.txt.gz", "a.txt.zst"}) {
    REQUIRE(!write_file_atomic(t.path() / name, std::span<const std::string_view>(&piece, 1), compression_for(name)));
    std::string bytes = read_text(t.path() / name);
    write_text(t.path() / "cut", bytes.substr(0, bytes.size() / 2));
    CHECK(read_file(t.path() / "cut", 1 << 30, compression_for(name)).error() ==
          make_error_code(errc::bad_compressed_data));
    CHECK(read_file(t.path() / name, 1000, compression_for(name)).error() == make_error_code(errc::too_large));
  }
  // Concatenated gzip members read as one stream.
  const std::string_view a("first\n"), b("second\n");
  REQUIRE(!write_file_atomic(t.path() / "1.gz", std::span<const std::string_view>(&a, 1), compression::gzip));
  REQUIRE(!write_file_atomic(t.path() / "2.gz", std::span<const std::string_view>(&b, 1), compression::gzip));
  write_text(t.path() / "both.gz", read_text(t.path() / "1.gz") + read_text(t.path() / "2.gz"));
  CHECK(read_file(t.path() / "both.gz", 100, compression::gzip).value() == "first\nsecond\n");
}

TEST_CASE("gzip streams inflate the same whatever the chunks they come in", "[unit][jsonl]") {
  // Two members of text that compresses into several blocks each, fed whole, a byte at a time
  // and in uneven pieces: the inflater reads ahead, and the second member must start where the
  // first ended. A flipped checksum byte and bytes after the last member are errors.
  std::string a;
  std::string b;
  std::uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 60000; ++i) {
    x ^= x << 13U;
    x ^= x >> 7U;
    x ^= x << 17U;
    a.push_back(static_cast<char>('a' + x % 7));
    b.push_back(static_cast<char>('0' + (x >> 20U) % 10));
  }
  auto gz = [](std::string_view plain) {
    std::string packed;
    detail::compressor c(compression::gzip);
    const detail::byte_sink keep = [&](std::string_view bytes) {
      packed.append(bytes);
      return std::error_code{};
    };
    REQUIRE(!c.write(plain, keep));
    REQUIRE(!c.finish(keep));
    return packed;
  };
  const std::string both = gz(a) + gz("") + gz(b);
  auto inflate = [](std::string_view packed, std::size_t piece, std::string& plain) {
    detail::decompressor d(compression::gzip);
    const detail::byte_sink keep = [&](std::string_view bytes) {
      plain.append(bytes);
      return std::error_code{};
    };
    std::size_t step = piece;
    while (!packed.empty()) {
      const std::size_t n = std::min(step, packed.size());
      if (auto ec = d.feed(packed.substr(0, n), keep)) return ec;
      packed.remove_prefix(n);
      step = piece == 0 ? 1 + (step * 7 + 3) % 4099 : piece;  // piece 0: uneven sizes
    }
    return d.finish();
  };
  for (const std::size_t piece : {std::size_t{1 << 30}, std::size_t{1}, std::size_t{0}}) {
    CAPTURE(piece);
    std::string plain;
    CHECK(!inflate(both, piece, plain));
    CHECK(plain == a + b);
    std::string bad_crc = gz(a);
    bad_crc[bad_crc.size() - 6] = static_cast<char>(bad_crc[bad_crc.size() - 6] ^ 1);
    plain.clear();
    CHECK(inflate(bad_crc, piece, plain) == make_error_code(errc::bad_compressed_data));
    plain.clear();
    CHECK(inflate(gz(a) + "not gzip", piece, plain) == make_error_code(errc::bad_compressed_data));
    CHECK(plain == a);
  }
}

TEST_CASE("records read in any order through the read-ahead are the records", "[unit][jsonl]") {
  // Records of very different sizes (a window holds many small ones, or one big one), blank and
  // malformed lines between them, two inputs; read forwards (the read-ahead's case), backwards,
  // strided and shuffled, from two sources at once on one thread, and on several threads.
  temp_dir t;
  std::vector<std::string> texts;
  for (int f = 0; f < 2; ++f) {
    std::string file;
    for (int k = 0; k < 300; ++k) {
      const auto len = static_cast<std::size_t>(k % 37 == 0 ? 70000 : 1 + (k * 7919) % 900);
      std::string text(len, static_cast<char>('a' + (k + f) % 26));
      text += " #" + std::to_string(f) + "/" + std::to_string(k);
      texts.push_back(text);
      file += "{\"id\":\"" + std::to_string(f) + "-" + std::to_string(k) + "\",\"text\":" + as_json(text) + "}\n";
      if (k % 11 == 0) file += "\n";
      if (k % 13 == 0) file += "{not json\n";
    }
    write_text(t.path() / ("in" + std::to_string(f) + ".jsonl"), file);
  }
  const jsonl_source a({{"in0.jsonl", t.path() / "in0.jsonl"}, {"in1.jsonl", t.path() / "in1.jsonl"}}, {});
  const jsonl_source b({{"in1.jsonl", t.path() / "in1.jsonl"}, {"in0.jsonl", t.path() / "in0.jsonl"}}, {});
  REQUIRE(a.size() == texts.size());
  REQUIRE(b.size() == texts.size());
  const std::size_t half = texts.size() / 2;  // b's record j is a's record (j + half) % size
  // Source a in `order`, source b (the same files the other way round) in the reverse order,
  // interleaved on this thread.
  auto check_order = [&](const std::vector<std::size_t>& order) {
    std::size_t right = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
      const std::size_t i = order[k];
      const std::size_t j = order[order.size() - 1 - k];
      right += a.read(i).value() == texts[i] ? 1U : 0U;
      right += b.read(j).value() == texts[(j + half) % texts.size()] ? 1U : 0U;
    }
    CHECK(right == 2 * order.size());
  };
  // The two files have their records at the same offsets: a window of one never answers for
  // the other (nor for another source of the same files).
  for (std::size_t k = 0; k + 2 < half; k += 3) {
    CHECK(a.read(k).value() == texts[k]);
    CHECK(a.read(k + 1).value() == texts[k + 1]);  // a run: the window now holds the next ones
    CHECK(a.read(half + k + 2).value() == texts[half + k + 2]);
    CHECK(b.read(k + 2).value() == texts[half + k + 2]);
  }
  std::vector<std::size_t> order(texts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  check_order(order);
  std::reverse(order.begin(), order.end());
  check_order(order);
  std::vector<std::size_t> strided;
  for (std::size_t s = 0; s < 5; ++s)
    for (std::size_t i = s; i < texts.size(); i += 5) strided.push_back(i);
  check_order(strided);
  std::mt19937 rng(7);
  std::shuffle(order.begin(), order.end(), rng);
  check_order(order);
  std::atomic<std::size_t> right{0};
  dupstrip::detail::parallel_for(texts.size(), 4, 8, [&](unsigned, std::size_t i) {
    if (a.read(i).value() == texts[i]) ++right;
  });
  CHECK(right.load() == texts.size());
}

TEST_CASE("a file cut short while it is read gives changed_during_run, never other bytes", "[unit][jsonl]") {
  temp_dir t;
  std::string file;
  for (int k = 0; k < 40; ++k) file += "{\"id\":\"" + std::to_string(k) + "\",\"text\":\"record " + std::to_string(k) + "\"}\n";
  write_text(t.path() / "in.jsonl", file);
  const jsonl_source s({{"in.jsonl", t.path() / "in.jsonl"}}, {});
  REQUIRE(s.size() == 40);
  CHECK(s.read(0).value() == "record 0");
  CHECK(s.read(1).value() == "record 1");  // a run: records 2.. are now in the window
  fs::resize_file(t.path() / "in.jsonl", file.size() / 2);
  // Records in the window were read before the cut and are still right; past it, an error.
  for (std::size_t i = 2; i < 40; ++i) {
    const auto r = s.read(i);
    if (r.has_value())
      CHECK(r.value() == "record " + std::to_string(i));
    else
      CHECK(r.error() == make_error_code(errc::changed_during_run));
  }
  CHECK_FALSE(s.read(39).has_value());
}

TEST_CASE("a file rewritten between two passes is read as it is now, not from a window", "[unit][jsonl]") {
  temp_dir t;
  auto file_with = [](char letter) {
    std::string file;
    for (int k = 0; k < 40; ++k)
      file += "{\"id\":\"" + std::to_string(100 + k) + "\",\"text\":\"" + std::string(20, letter) + "\"}\n";
    return file;
  };
  write_text(t.path() / "in.jsonl", file_with('a'));
  const jsonl_source s({{"in.jsonl", t.path() / "in.jsonl"}}, {});
  REQUIRE(s.size() == 40);
  for (std::size_t i = 0; i < 10; ++i) CHECK(s.read(i).value() == std::string(20, 'a'));  // windows now
  write_text(t.path() / "in.jsonl", file_with('b'));  // the same size, other bytes
  for (std::size_t i = 0; i < 40; ++i) CHECK(s.read(i).value() == std::string(20, 'b'));
}
