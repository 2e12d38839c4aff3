// dupstrip._dupstrip: the pybind11 layer under the Python package (python/dupstrip/). It binds
// the public library only (run.hpp for paths, the deduper over a spooled record stream for
// iterables), so that Python gets the CLI's engine and decisions byte for byte. Everything
// Pythonic (argument checking, Result objects, iterators) is in __init__.py.
//
// The GIL: a run holds it only to take records from the Python iterable (add()) and to build
// the Python objects of results; the spool flush, the analysis, reading documents again and
// writing files run with it released. Progress callbacks take it back from worker threads, one
// call at a time, at most about ten times a second.
#include <dupstrip/error.hpp>
#include <dupstrip/html.hpp>
#include <dupstrip/io.hpp>
#include <dupstrip/jsonl.hpp>
#include <dupstrip/pipeline.hpp>
#include <dupstrip/report.hpp>
#include <dupstrip/run.hpp>
#include <dupstrip/scaleout.hpp>
#include <dupstrip/version.hpp>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <unistd.h>
#include <vector>

namespace py = pybind11;
namespace ds = dupstrip;

namespace {

// ------------------------------------------------------------------ options

// Calls f(name, member) for each plain option of clean_options, under dupstrip.Options' names
// (the CLI's flags); keep and utf8 (enums) are mapped apart.
template <class Options, class F>
void each_option(Options& o, F&& f) {
  f("threshold", o.threshold);
  f("shingle_size", o.shingle_size);
  f("min_shingle_size", o.min_shingle_size);
  f("num_perm", o.num_perm);
  f("bands", o.bands);
  f("rows", o.rows);
  f("seed", o.seed);
  f("min_boilerplate_pages", o.min_boilerplate_pages);
  f("boilerplate_fraction", o.boilerplate_fraction);
  f("block_similarity", o.block_similarity);
  f("flow_tokens", o.flow_tokens);
  f("corpus_sites", o.corpus_min_sites);
  f("template_lines", o.template_lines);
  f("min_repeat_tokens", o.min_repeat_tokens);
  f("line_repeat_run", o.min_line_repeat_run);
  f("max_strip_fraction", o.max_strip_fraction);
  f("max_size", o.max_document_bytes);
  f("jobs", o.jobs);
  f("temp_dir", o.temp_dir);
}

const char* keep_name(ds::keep_policy k) { return k == ds::keep_policy::first ? "first" : "longest"; }
const char* utf8_name(ds::utf8_policy u) {
  return u == ds::utf8_policy::strict ? "strict" : u == ds::utf8_policy::bytes ? "bytes" : "replace";
}

// dupstrip.Options (as a dict of checked Python values) -> clean_options, validated.
ds::clean_options to_options(const py::dict& d) {
  ds::clean_options o;
  each_option(o, [&](const char* key, auto& field) {
    if (d.contains(key)) field = d[key].cast<std::remove_reference_t<decltype(field)>>();
  });
  if (d.contains("keep")) o.keep = d["keep"].cast<std::string>() == "first" ? ds::keep_policy::first : ds::keep_policy::longest;
  if (d.contains("utf8")) {
    const std::string u = d["utf8"].cast<std::string>();
    o.utf8 = u == "strict" ? ds::utf8_policy::strict : u == "bytes" ? ds::utf8_policy::bytes : ds::utf8_policy::replace;
  }
  try {
    o.validate();
  } catch (const ds::config_error& e) {
    throw py::value_error(std::string("invalid options: ") + e.what());
  }
  return o;
}

// The engine's defaults, for dupstrip.Options (a test keeps the two equal).
py::dict default_options() {
  const ds::clean_options o;
  py::dict d;
  each_option(o, [&](const char* key, const auto& field) { d[key] = field; });
  d["keep"] = keep_name(o.keep);
  d["utf8"] = utf8_name(o.utf8);
  return d;
}

// ------------------------------------------------------------------ errors

bool is_errno(const std::error_code& ec) {
  return ec && (ec.category() == std::generic_category() || ec.category() == std::system_category());
}

// Sets OSError (its errno subclass: FileNotFoundError, PermissionError...) with filename set as
// the Python error.
void set_os_error(const std::error_code& ec, const std::string& text, const std::string& path) {
  py::object os_error = py::module_::import("builtins").attr("OSError");
  const py::object filename = path.empty() ? py::object(py::none()) : py::object(py::str(path));
  py::object exc = is_errno(ec) ? os_error(ec.value(), ec.message(), filename) : os_error(text);
  if (!is_errno(ec) && !path.empty()) exc.attr("filename") = py::str(path);
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
}

// Raises it.
[[noreturn]] void raise_os_error(const std::error_code& ec, const std::string& text, const std::string& path) {
  set_os_error(ec, text, path);
  throw py::error_already_set();
}

// Collects a run's diagnostics; called with the GIL released, from worker threads too.
class collected_messages final : public ds::run_messages {
 public:
  struct issue {
    std::string where;
    std::string reason;
    std::error_code error;
  };
  void input_error(std::string_view where, std::string_view reason, std::error_code ec) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    issues.push_back({std::string(where), std::string(reason), ec});
  }
  void error(std::string_view text, std::string_view path, std::error_code ec) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (failed) return;
    failed = true;
    error_text = text;
    error_path = path;
    error_code = ec;
  }
  void warning(std::string_view text) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    warnings.emplace_back(text);
  }
  void info(std::string_view) override {}

  // After a run that stopped: the Python exception. I/O problems are OSErrors, the rest
  // (paths that clash, groups without a field) ValueErrors.
  [[noreturn]] void raise() const {
    if (failed) {
      if (error_code) raise_os_error(error_code, error_text, error_path);
      throw py::value_error(error_text);
    }
    // Nothing could be read (every input failed to open): the first input's error.
    for (const issue& is : issues)
      if (is.error) raise_os_error(is.error, is.where + ": " + is.reason, is.where);
    if (!issues.empty()) throw py::value_error(issues.front().where + ": " + issues.front().reason);
    throw py::value_error("the run stopped");
  }

  py::list issue_list() const {
    py::list l;
    for (const issue& is : issues) {
      py::dict d;
      d["where"] = is.where;
      d["reason"] = is.reason;
      d["errno"] = is_errno(is.error) ? py::object(py::int_(is.error.value())) : py::object(py::none());
      l.append(d);
    }
    return l;
  }

  std::vector<issue> issues;
  std::vector<std::string> warnings;
  bool failed = false;
  std::string error_text;
  std::string error_path;
  std::error_code error_code;

 private:
  std::mutex mutex_;
};

// Calls a Python progress callable (phase, docs_done, docs_total, bytes_done) from the
// engine's threads. An exception it raises ends the calls and is raised when the run is over.
class python_progress final : public ds::run_progress {
 public:
  explicit python_progress(py::object fn) : fn_(std::move(fn)) {}
  ~python_progress() override {
    py::gil_scoped_acquire gil;
    fn_ = py::object();
    error_.reset();
  }
  python_progress(const python_progress&) = delete;
  python_progress& operator=(const python_progress&) = delete;

  ds::progress_callback callback() override {
    if (fn_.is_none()) return {};
    return [this](const ds::progress_info& p) { report(p); };
  }
  void finish() override {}

  // Raises the callback's exception, if it raised one (with the GIL held).
  void rethrow() {
    if (error_) {
      py::error_already_set e = std::move(*error_);
      error_.reset();
      throw e;
    }
  }

 private:
  void report(const ds::progress_info& p) {
    if (failed_.load(std::memory_order_relaxed)) return;
    const auto now = std::chrono::steady_clock::now();
    const bool final_one = p.docs_total != 0 && p.docs_done == p.docs_total;
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!final_one && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    py::gil_scoped_acquire gil;
    if (failed_.load()) return;
    try {
      fn_(p.phase, p.docs_done, p.docs_total, p.bytes_done);
    } catch (py::error_already_set& e) {
      error_.emplace(std::move(e));
      failed_.store(true);
    }
  }

  py::object fn_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
  std::atomic<bool> failed_{false};
  std::optional<py::error_already_set> error_;
};

// The run summary as a dict: the report's summary record (with elapsed_seconds), the inputs
// skipped with errors ("issues") and the warnings.
py::dict summary_dict(const ds::analysis& a, double seconds, const collected_messages& msgs) {
  const ds::run_totals t = ds::compute_totals(a);
  const std::string line = ds::report_summary(a, t, seconds, false);
  py::dict data = py::module_::import("json").attr("loads")(line)["data"];
  data["issues"] = msgs.issue_list();
  py::list w;
  for (const std::string& s : msgs.warnings) w.append(s);
  data["warnings"] = w;
  return data;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ------------------------------------------------------------------ paths (clean_files, scan)

// The run_spec of a dict of dupstrip's keyword arguments (checked by __init__.py).
ds::run_spec to_spec(const py::dict& spec, const py::dict& options) {
  ds::run_spec s;
  auto str = [&](const char* key, std::string& field) {
    if (spec.contains(key) && !spec[key].is_none()) field = spec[key].cast<std::string>();
  };
  auto flag = [&](const char* key, bool& field) {
    if (spec.contains(key)) field = spec[key].cast<bool>();
  };
  str("input", s.input);
  str("files_from", s.files_from);
  str("root", s.root);
  str("output", s.output);
  str("report", s.report);
  str("group_by", s.group_by);
  str("text_field", s.text_field);
  str("input_format", s.input_format);
  str("html_field", s.html_field);
  str("id_field", s.id_field);
  str("group_field", s.group_field);
  flag("annotate", s.annotate);
  flag("strict", s.strict);
  flag("force", s.force);
  s.options = to_options(options);
  if (s.input == "-" || s.output == "-" || s.files_from == "-" || s.report == "-")
    throw py::value_error("standard input and output ('-') are the CLI's: give file names");
  if (s.annotate && ds::output_kind_of(s.output) != ds::output_kind::jsonl_file)
    throw py::value_error("annotate needs JSONL output (an output file named *.jsonl or *.ndjson)");
  return s;
}

// clean_files() and scan(): run_clean() and the report, as the CLI's clean and scan.
py::dict run_paths(const py::dict& spec, const py::dict& options, const py::object& progress) {
  const ds::run_spec s = to_spec(spec, options);
  collected_messages msgs;
  python_progress prog(progress);
  ds::run_outcome out;
  int report_rc = 0;
  double seconds = 0;
  {
    py::gil_scoped_release nogil;
    out = ds::run_clean(s, msgs, prog);
    if (out.status == 0) {
      seconds = seconds_since(out.start);
      if (!s.report.empty()) {
        const ds::run_totals t = ds::compute_totals(out.result);
        report_rc = ds::write_file_streamed(
            s.report, "report",
            [&](const auto& piece) { ds::write_report(s.options, *out.input.source, out.result, t, seconds, piece); },
            msgs);
      }
    }
  }
  prog.rethrow();
  if (out.status != 0 || report_rc != 0) msgs.raise();
  return summary_dict(out.result, seconds, msgs);
}

// ------------------------------------------------------------------ scale-out

// scan(fingerprints=...): pass 1 of a shard, or a content round with a state.
py::dict scan_shard(const py::dict& spec, const py::dict& options, const std::string& fingerprints,
                    const std::string& state, const py::object& progress) {
  const ds::run_spec s = to_spec(spec, options);
  collected_messages msgs;
  python_progress prog(progress);
  int rc = 0;
  {
    py::gil_scoped_release nogil;
    rc = ds::run_scan_shard(s, fingerprints, state, msgs, prog);
  }
  prog.rethrow();
  if (rc != 0) msgs.raise();
  py::dict d;
  d["fingerprints"] = fingerprints;
  d["issues"] = msgs.issue_list();
  py::list w;
  for (const std::string& x : msgs.warnings) w.append(x);
  d["warnings"] = w;
  return d;
}

// The status of a merge as `dupstrip merge --json` prints it.
py::dict status_dict(const ds::merge_status& st) {
  py::dict d;
  d["round"] = st.round;
  d["complete"] = st.complete;
  d["documents"] = st.documents;
  py::list shards;
  for (std::size_t k = 0; k < st.shards.size(); ++k) {
    py::dict sh;
    sh["index"] = k;
    sh["label"] = st.shards[k].label;
    sh["documents"] = st.shards[k].documents;
    sh["pending"] = st.shards[k].pending;
    shards.append(sh);
  }
  d["shards"] = shards;
  py::list notes;
  for (const std::string& n : st.notes) notes.append(n);
  d["notes"] = notes;
  return d;
}

// merge(): merges fingerprint files into `output` (when given), and when the run is complete
// writes the report of the whole run to `report` (when given). Returns the status, with the
// run's summary when it is complete.
py::dict merge(const std::vector<std::string>& inputs, const std::string& state, const std::string& output,
               const std::string& report, unsigned jobs, const std::string& temp_dir) {
  std::optional<ds::merge_status> st;
  std::string final_state = state;
  std::string error;
  std::string error_path;
  std::error_code error_code;
  std::optional<ds::run_decisions> d;
  collected_messages msgs;
  int rc = 0;
  {
    py::gil_scoped_release nogil;
    try {
      if (!inputs.empty()) {
        const std::vector<std::filesystem::path> paths(inputs.begin(), inputs.end());
        const std::filesystem::path state_path(state);
        st = ds::merge_shards(paths, state.empty() ? nullptr : &state_path, output, jobs, temp_dir);
        final_state = output;
      }
      if (!st || st->complete) {
        d.emplace(ds::run_decisions::load(final_state, nullptr, temp_dir));
        if (!st) st = d->status;
        if (d->status.complete && !report.empty()) {
          const ds::run_totals t = ds::compute_totals(d->decisions);
          rc = ds::write_file_streamed(report, "report", [&](const auto& piece) {
            ds::write_report(d->options, *d, d->decisions, t, 0.0, piece);
          }, msgs);
        }
      }
    } catch (const ds::format_error& e) {
      error = e.what();
    } catch (const std::system_error& e) {
      error = e.what();
      error_code = e.code();
      error_path = output;
    }
  }
  if (!error.empty()) {
    if (error_code) raise_os_error(error_code, error, error_path);
    throw py::value_error(error);
  }
  if (rc != 0) msgs.raise();
  py::dict out = status_dict(*st);
  if (d && d->status.complete) out["summary"] = summary_dict(d->decisions, 0.0, msgs);
  return out;
}

// apply(): writes one shard's kept documents as a complete state decided.
py::dict apply_shard(const py::dict& spec, const py::dict& options, const std::string& state,
                     const py::object& progress) {
  const ds::run_spec s = to_spec(spec, options);
  collected_messages msgs;
  python_progress prog(progress);
  ds::apply_outcome out;
  const auto start = std::chrono::steady_clock::now();
  {
    py::gil_scoped_release nogil;
    out = ds::run_apply_shard(s, state, msgs, prog);
  }
  prog.rethrow();
  if (out.status != 0) msgs.raise();
  return summary_dict(out.shard, seconds_since(start), msgs);
}

// ------------------------------------------------------------------ records (clean)

// One clean() of a Python iterable. The records are spooled to an unlinked temporary file as
// JSONL ({"id":..,"group":..,"text":..}: what a jsonl_source reads, so that names and groups are
// the CLI's for the same corpus), the rest of each dict (pickled by __init__.py) to a second
// one; neither the corpus nor the results stay in memory (8 bytes a record, plus the engine's
// fingerprints).
class records_run {
 public:
  records_run(const py::dict& options, bool has_groups, bool html, py::object progress)
      : options_(to_options(options)), has_groups_(has_groups), html_(html), progress_(std::move(progress)) {
    jobs_ = options_.jobs != 0 ? options_.jobs : std::max(1U, std::thread::hardware_concurrency());
    std::error_code ec;
    spool_fd_ = ds::open_unlinked_temporary(options_.temp_dir, ec);
    if (spool_fd_ >= 0) extra_fd_ = ds::open_unlinked_temporary(options_.temp_dir, ec);
    if (spool_fd_ < 0 || extra_fd_ < 0) {
      close_files();
      raise_os_error(ec, "cannot create a temporary file", options_.temp_dir.empty() ? "" : options_.temp_dir);
    }
  }
  records_run(const records_run&) = delete;
  records_run& operator=(const records_run&) = delete;
  ~records_run() { close_files(); }

  // One record: its text (str), id and group as JSON texts or None, the rest of it (bytes) or
  // None. With the GIL.
  void add(const py::handle& text, const py::handle& id_json, const py::handle& group_json, const py::handle& extra) {
    if (analysed_) throw py::value_error("records cannot be added after the analysis");
    line_.assign("{");
    if (!id_json.is_none()) {
      line_ += "\"id\":";
      line_ += id_json.cast<std::string_view>();
      line_ += ',';
    }
    if (!group_json.is_none()) {
      line_ += "\"group\":";
      line_ += group_json.cast<std::string_view>();
      line_ += ',';
    }
    line_ += "\"text\":";
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
    if (utf8 != nullptr) {
      ds::append_json_text(line_, std::string_view(utf8, static_cast<std::size_t>(size)));
    } else {
      // Lone surrogates: their generalised UTF-8, which the JSON escapes carry (jsonl.hpp).
      PyErr_Clear();
      const py::bytes b = py::reinterpret_steal<py::bytes>(PyUnicode_AsEncodedString(text.ptr(), "utf-8", "surrogatepass"));
      if (!b) throw py::error_already_set();
      ds::append_json_text(line_, std::string_view(b));
    }
    line_ += "}\n";
    buffer_ += line_;
    extra_end_.push_back(extra_bytes_);
    if (!extra.is_none()) {
      const std::string_view e = extra.cast<std::string_view>();
      extra_buffer_ += e;
      extra_bytes_ += e.size();
      extra_end_.back() = extra_bytes_;
    }
    if (buffer_.size() + extra_buffer_.size() >= (std::size_t{1} << 20)) flush();
  }

  // The analysis, without the GIL. Returns the number of documents.
  std::size_t analyse() {
    if (analysed_) return docs();
    analysed_ = true;
    {
      py::gil_scoped_release nogil;
      flush();
      if (!write_error_) run_engine();
    }
    progress_.rethrow();
    if (write_error_) raise_os_error(write_error_, issue_text_, "");
    return docs();
  }

  // Up to `n` results from the next document on: (index, status, cleaned text or None, original
  // text or None, report record, extra bytes or None). Dropped and skipped documents are
  // passed over unless `with_dropped`. An empty list at the end. The documents are read again
  // and cut on the run's `jobs` threads, without the GIL.
  py::list next_batch(std::size_t n, bool with_dropped) {
    std::vector<std::size_t> picked;
    while (next_ < docs() && picked.size() < n) {
      const std::size_t i = next_++;
      if (result_.docs[i].status == ds::doc_status::kept || with_dropped) picked.push_back(i);
    }
    std::vector<item> items(picked.size());
    {
      py::gil_scoped_release nogil;
      // Threads for this batch: a thread per 32 documents at most (starting one costs more).
      const std::size_t ways = std::max<std::size_t>(1, std::min<std::size_t>(jobs_, picked.size() / 32));
      auto work = [&](std::size_t first) {
        for (std::size_t k = first; k < picked.size(); k += ways) load(picked[k], items[k]);
      };
      std::vector<std::thread> threads;
      for (std::size_t t = 1; t < ways; ++t) threads.emplace_back(work, t);
      work(0);
      for (std::thread& t : threads) t.join();
    }
    for (const item& it : items)
      if (it.error) raise_os_error(it.error, "cannot read the spooled records", "");
    py::list out;
    auto text_object = [](const std::optional<std::string>& s) -> py::object {
      if (!s) return py::none();
      PyObject* o = PyUnicode_DecodeUTF8(s->data(), static_cast<Py_ssize_t>(s->size()), "surrogatepass");
      if (o == nullptr) {
        // Bytes that are not UTF-8 (utf8="bytes" keeps them): one U+FFFD for each.
        PyErr_Clear();
        o = PyUnicode_DecodeUTF8(s->data(), static_cast<Py_ssize_t>(s->size()), "replace");
        if (o == nullptr) throw py::error_already_set();
      }
      return py::reinterpret_steal<py::object>(o);
    };
    for (std::size_t k = 0; k < items.size(); ++k) {
      const item& it = items[k];
      out.append(py::make_tuple(picked[k], ds::status_name(result_.docs[picked[k]].status), text_object(it.cleaned),
                                text_object(it.original), py::str(it.report),
                                it.extra ? py::object(py::bytes(*it.extra)) : py::object(py::none())));
    }
    return out;
  }

  py::dict summary() const {
    collected_messages none;
    py::dict d = summary_dict(result_, seconds_, none);
    return d;
  }

  // The whole JSON Lines report of the run (as `--report`).
  void write_report_file(const std::string& path) {
    collected_messages msgs;
    int rc = 0;
    {
      py::gil_scoped_release nogil;
      const ds::run_totals t = ds::compute_totals(result_);
      rc = ds::write_file_streamed(
          path, "report",
          [&](const auto& piece) { ds::write_report(options_, reader(), result_, t, seconds_, piece); }, msgs);
    }
    if (rc != 0) msgs.raise();
  }

  // Frees the engine's state and the temporary files (also done when the object goes).
  void close() {
    pages_.reset();
    source_.reset();
    result_ = ds::analysis{};
    close_files();
  }

  std::size_t docs() const { return result_.docs.size(); }

 private:
  // One result of next_batch(), made without the GIL.
  struct item {
    std::optional<std::string> cleaned;
    std::optional<std::string> original;
    std::string report;
    std::optional<std::string> extra;
    std::error_code error;
  };

  // Reads document i again: its report record, its kept text (kept), its text as given (dropped,
  // skipped, or a web page: the page), the rest of its record. Thread-safe.
  void load(std::size_t i, item& it) const {
    const ds::doc_result& d = result_.docs[i];
    it.report = ds::report_doc(reader(), result_, i);
    if (d.status == ds::doc_status::kept) {
      auto text = reader().read(i);
      if (!text.has_value()) {
        it.error = text.error();
        return;
      }
      std::string cleaned;
      const std::vector<ds::removal> removed = result_.removals.get(i);
      for (const std::string_view piece : ds::kept_pieces(text.value(), removed)) cleaned += piece;
      it.cleaned = std::move(cleaned);
    }
    if (d.status != ds::doc_status::kept || html_) {
      auto text = source_->read(i);
      if (!text.has_value()) {
        it.error = text.error();
        return;
      }
      it.original = std::move(text).value();
    }
    const std::uint64_t begin = i == 0 ? 0 : extra_end_[i - 1];
    if (extra_end_[i] != begin) {
      std::string e(extra_end_[i] - begin, '\0');
      if (::pread(extra_fd_, e.data(), e.size(), static_cast<off_t>(begin)) != static_cast<ssize_t>(e.size())) {
        it.error = {errno != 0 ? errno : EIO, std::generic_category()};
        return;
      }
      it.extra = std::move(e);
    }
  }

  // Indexes the spool and runs the deduper over it (without the GIL).
  void run_engine() {
    ds::jsonl_options jo;
    jo.text_field = "text";
    jo.id_field = "id";
    if (has_groups_) jo.group_field = "group";
    jo.temp_dir = options_.temp_dir;
    // The unlinked spool, opened again through its descriptor (Linux /proc).
    const std::string path = "/proc/self/fd/" + std::to_string(spool_fd_);
    source_ = std::make_unique<ds::jsonl_source>(std::vector<ds::jsonl_input>{{"<records>", path}}, jo,
                                                 progress_.callback());
    for (const ds::jsonl_issue& is : source_->issues()) {
      // Lines written here are well-formed: only an I/O error can stop the indexing (a lone
      // surrogate is a warning, the text is kept as it was given).
      if (is.kind == ds::jsonl_issue_kind::lone_surrogate) continue;
      write_error_ = is.error ? is.error : std::make_error_code(std::errc::io_error);
      issue_text_ = "<records>:" + std::to_string(is.line) + ": " + is.message;
      return;
    }
    if (html_) {
      ds::html_options ho;
      ho.sniff_encoding = false;
      pages_ = std::make_unique<ds::html_source>(*source_, ds::input_format::html, ho, options_.temp_dir);
    }
    const auto start = std::chrono::steady_clock::now();
    result_ = ds::deduper(options_).run(reader(), progress_.callback());
    seconds_ = seconds_since(start);
  }

  const ds::document_source& reader() const {
    return pages_ ? static_cast<const ds::document_source&>(*pages_) : *source_;
  }

  // Writes the buffered lines (GIL not needed).
  void flush() {
    write_all(spool_fd_, buffer_);
    write_all(extra_fd_, extra_buffer_);
  }

  void write_all(int fd, std::string& data) {
    std::size_t done = 0;
    while (done < data.size() && !write_error_) {
      const ssize_t w = ::write(fd, data.data() + done, data.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        write_error_ = {errno, std::generic_category()};
        issue_text_ = "cannot write the spooled records";
        break;
      }
      done += static_cast<std::size_t>(w);
    }
    data.clear();
  }

  void close_files() {
    if (spool_fd_ >= 0) ::close(spool_fd_);
    if (extra_fd_ >= 0) ::close(extra_fd_);
    spool_fd_ = extra_fd_ = -1;
  }

  ds::clean_options options_;
  std::size_t jobs_ = 1;  // threads of next_batch()
  bool has_groups_;
  bool html_;
  python_progress progress_;
  int spool_fd_ = -1;
  int extra_fd_ = -1;
  std::string line_;
  std::string buffer_;
  std::string extra_buffer_;
  std::uint64_t extra_bytes_ = 0;
  std::vector<std::uint64_t> extra_end_;  // per record: end of its extra bytes
  std::error_code write_error_;
  std::string issue_text_;
  bool analysed_ = false;
  std::unique_ptr<ds::jsonl_source> source_;
  std::unique_ptr<ds::html_source> pages_;
  ds::analysis result_;
  double seconds_ = 0;
  std::size_t next_ = 0;
};

}  // namespace

PYBIND11_MODULE(_dupstrip, m) {
  m.doc() = "dupstrip's engine (use the dupstrip package, not this module)";
  // What the library throws past the run layer: I/O errors of its temporary files
  // (std::system_error) are OSErrors, unusable state or fingerprint files and invalid options
  // ValueErrors (pybind11 would make them all RuntimeErrors).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const std::system_error& e) {
      set_os_error(e.code(), e.what(), "");
    } catch (const ds::format_error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const ds::config_error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  m.attr("__version__") = DUPSTRIP_VERSION_STRING;
  m.attr("git_revision") = DUPSTRIP_GIT_REV;
  m.def("default_options", &default_options, "The engine's default options.");
  m.def("check_options", [](const py::dict& d) { (void)to_options(d); },
        "Raises ValueError when the options are invalid.");
  m.def("run_paths", &run_paths, py::arg("spec"), py::arg("options"), py::arg("progress"),
        "clean_files() and scan(): a run from paths; returns the summary.");
  m.def("scan_shard", &scan_shard, py::arg("spec"), py::arg("options"), py::arg("fingerprints"), py::arg("state"),
        py::arg("progress"), "scan(fingerprints=...): pass 1 of a shard, or a content round.");
  m.def("merge", &merge, py::arg("inputs"), py::arg("state"), py::arg("output"), py::arg("report"), py::arg("jobs"),
        py::arg("temp_dir"), "merge(): fingerprint files into a state; the report when complete.");
  m.def("apply_shard", &apply_shard, py::arg("spec"), py::arg("options"), py::arg("state"), py::arg("progress"),
        "apply(): a shard's kept documents as a complete state decided.");
  py::class_<records_run>(m, "RecordsRun")
      .def(py::init<const py::dict&, bool, bool, py::object>(), py::arg("options"), py::arg("has_groups"),
           py::arg("html"), py::arg("progress"))
      .def("add", &records_run::add)
      .def("analyse", &records_run::analyse)
      .def("next_batch", &records_run::next_batch)
      .def("summary", &records_run::summary)
      .def("write_report", &records_run::write_report_file)
      .def("close", &records_run::close)
      .def_property_readonly("documents", &records_run::docs);
}
