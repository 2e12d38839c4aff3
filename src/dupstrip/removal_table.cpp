// removal_table: per document, the offset and count of its ranges in a spill
// file; a new list is appended (the old one is left as garbage: lists change at
// most a few times per run).
#include <algorithm>
#include <array>
#include <cstring>

#include "dupstrip/pipeline.hpp"
#include "dupstrip/read_window.hpp"
#include "dupstrip/spill.hpp"

namespace dupstrip {

namespace {
constexpr std::size_t record_bytes = 22;  // begin, end, reason, pages, group_pages, pattern, source_line
}

namespace {
constexpr std::size_t reasons = static_cast<std::size_t>(removal_reason::outside_main) + 1;
}  // namespace

struct removal_table::impl {
  impl(std::size_t n, const std::string& dir)
      : serial(detail::new_window_owner()), file(dir), at(n, 0), count(n, 0), rest(n, 0), by_reason(n) {}
  std::uint64_t serial;  // unique in the process: a thread's read-ahead window names its table by it
  detail::spill_file file;
  std::vector<std::uint64_t> at;
  std::vector<std::uint32_t> count;
  std::vector<std::uint32_t> rest;  // bytes from at to the end of the write that holds the list
  std::vector<std::array<std::uint32_t, reasons>> by_reason;
};

namespace {
std::array<std::uint32_t, reasons> ranges_by_reason(std::span<const removal> ranges) {
  std::array<std::uint32_t, reasons> n{};
  for (const removal& r : ranges) ++n[static_cast<std::size_t>(r.reason)];
  return n;
}
}  // namespace

removal_table::removal_table(std::size_t documents, const std::string& temp_dir)
    : impl_(std::make_shared<impl>(documents, temp_dir)) {}

std::size_t removal_table::size() const noexcept { return impl_ ? impl_->at.size() : 0; }

std::uint32_t removal_table::count(std::size_t i) const noexcept { return impl_->count[i]; }

std::uint32_t removal_table::repeats(std::size_t i) const noexcept { return count_of(i, removal_reason::repeat); }

std::uint32_t removal_table::count_of(std::size_t i, removal_reason why) const noexcept {
  return impl_->by_reason[i][static_cast<std::size_t>(why)];
}

std::uint64_t removal_table::bytes() const noexcept { return impl_ ? impl_->file.appended() : 0; }

namespace {
std::vector<removal> decode_ranges(const unsigned char* p, std::size_t n) {
  std::vector<removal> out(n);
  for (removal& r : out) {
    std::memcpy(&r.begin, p, 4);
    std::memcpy(&r.end, p + 4, 4);
    r.reason = static_cast<removal_reason>(p[8]);
    std::memcpy(&r.pages, p + 9, 4);
    std::memcpy(&r.group_pages, p + 13, 4);
    r.pattern = p[17];
    std::memcpy(&r.source_line, p + 18, 4);
    p += record_bytes;
  }
  return out;
}
}  // namespace

namespace {

// Read-ahead: the lists of consecutive documents lie back to back in the file (set_block()
// writes a block's lists with one call), and the passes read them in runs of consecutive
// documents on each thread. A thread that reads document i's list right after document
// i - 1's also reads the rest of the write that holds i's list (at most read_ahead_bytes) with
// one pread; the next reads copy from that window. The window never leaves that one write, whose
// bytes were all in the file before any of its lists was published and never change after (a
// replaced list is appended elsewhere): so a window holds no stale or unwritten byte, and
// reading ahead looks at no other document's entry (lists of other groups are replaced by
// other threads meanwhile).
constexpr std::uint64_t read_ahead_bytes = std::uint64_t{64} << 10;

thread_local detail::read_window window;

}  // namespace

std::vector<removal> removal_table::get(std::size_t i) const {
  const std::size_t n = impl_->count[i];
  detail::read_window& w = window;
  const bool follows = w.note_read(impl_->serial, i);
  if (n == 0) return {};
  const std::uint64_t at = impl_->at[i];
  const std::uint64_t len = std::uint64_t{n} * record_bytes;
  if (const unsigned char* held = w.find(impl_->serial, 0, at, len)) return decode_ranges(held, n);
  const std::uint64_t want = follows ? std::max(len, std::min<std::uint64_t>(impl_->rest[i], read_ahead_bytes)) : len;
  if (want == len) {
    std::vector<unsigned char> buf(len);
    impl_->file.read_at(at, buf.data(), buf.size());
    return decode_ranges(buf.data(), n);
  }
  // read_at throws on failure, leaving the window empty.
  return decode_ranges(w.fill(impl_->serial, 0, at, static_cast<std::size_t>(want),
                              [&](unsigned char* buf, std::size_t k) {
                                impl_->file.read_at(at, buf, k);
                                return static_cast<std::int64_t>(k);
                              }),
                       n);
}

std::vector<std::vector<removal>> removal_table::get_range(std::size_t first, std::size_t count) const {
  std::vector<std::vector<removal>> out(count);
  // The span of the file that holds all the lists; read whole when it is mostly theirs (lists
  // replaced later lie elsewhere, and what lies between is never interpreted).
  std::uint64_t lo = ~std::uint64_t{0};
  std::uint64_t hi = 0;
  std::uint64_t wanted = 0;
  for (std::size_t k = first; k < first + count; ++k) {
    if (impl_->count[k] == 0) continue;
    const std::uint64_t len = std::uint64_t{impl_->count[k]} * record_bytes;
    lo = std::min(lo, impl_->at[k]);
    hi = std::max(hi, impl_->at[k] + len);
    wanted += len;
  }
  if (wanted == 0) return out;
  if (hi - lo > 2 * wanted + 4096) {
    for (std::size_t k = 0; k < count; ++k) out[k] = get(first + k);
    return out;
  }
  std::vector<unsigned char> buf(hi - lo);
  impl_->file.read_at(lo, buf.data(), buf.size());
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t n = impl_->count[first + k];
    if (n != 0) out[k] = decode_ranges(buf.data() + (impl_->at[first + k] - lo), n);
  }
  return out;
}

namespace {
void put_ranges(std::span<const removal> ranges, std::vector<unsigned char>& buf) {
  std::size_t at = buf.size();
  buf.resize(at + ranges.size() * record_bytes);
  for (const removal& r : ranges) {
    unsigned char* p = buf.data() + at;
    std::memcpy(p, &r.begin, 4);
    std::memcpy(p + 4, &r.end, 4);
    p[8] = static_cast<unsigned char>(r.reason);
    std::memcpy(p + 9, &r.pages, 4);
    std::memcpy(p + 13, &r.group_pages, 4);
    p[17] = r.pattern;
    std::memcpy(p + 18, &r.source_line, 4);
    at += record_bytes;
  }
}
}  // namespace

void removal_table::set(std::size_t i, std::span<const removal> ranges) {
  const std::span<const removal> one[] = {ranges};
  store(i, one);
}

void removal_table::set_block(std::size_t first, std::span<const std::vector<removal>> lists) {
  std::vector<std::span<const removal>> spans(lists.begin(), lists.end());
  store(first, spans);
}

// The lists of documents first, first + 1, ... in one write.
void removal_table::store(std::size_t first, std::span<const std::span<const removal>> lists) {
  std::vector<unsigned char> buf;
  for (const std::span<const removal> l : lists) put_ranges(l, buf);
  std::uint64_t at = buf.empty() ? 0 : impl_->file.append(buf.data(), buf.size());
  const std::uint64_t write_end = at + buf.size();
  for (std::size_t k = 0; k < lists.size(); ++k) {
    impl_->at[first + k] = lists[k].empty() ? 0 : at;
    impl_->count[first + k] = static_cast<std::uint32_t>(lists[k].size());
    impl_->rest[first + k] = static_cast<std::uint32_t>(
        lists[k].empty() ? 0 : std::min<std::uint64_t>(write_end - at, 0xFFFFFFFFu));
    impl_->by_reason[first + k] = ranges_by_reason(lists[k]);
    at += lists[k].size() * record_bytes;
  }
}

}  // namespace dupstrip
