// The scale-out steps (scaleout.hpp): scan, content scan, merge and the decisions of a state
// file. The algorithm is entirely in engine.cpp; this file only moves its records through the
// files that shard_file.hpp defines (format in doc/scaleout.md).
#include "dupstrip/scaleout.hpp"

#include "dupstrip/engine.hpp"
#include "dupstrip/parallel.hpp"
#include "dupstrip/shard_file.hpp"
#include "dupstrip/template_lines.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <unordered_map>

namespace dupstrip {

using namespace detail::shard;  // NOLINT(google-build-using-namespace): this file is their user

// ------------------------------------------------------------------------------ public steps

shard_identity identify_shard(const document_source& source, std::string label) {
  enc w;
  w.str(label);
  w.u64(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    w.str(source.name(i));
    w.str(source.group(i));
    if (w.b.size() > (1U << 20)) {  // fold as we go: the key needs no copy of every name
      const std::uint64_t h = detail::xxh3_64(w.b);
      w.b.clear();
      w.u64(h);
    }
  }
  return {std::move(label), detail::xxh3_64(w.b, 0x7368617264ULL), source.size()};
}

std::error_code scan_shard(const document_source& source, const clean_options& options, std::string label,
                           const fs::path& out, const progress_callback& progress,
                           std::vector<skipped_document>* skipped) {
  options.validate();
  const shard_identity id = identify_shard(source, std::move(label));
  const detail::engine_config cfg(options);
  const unsigned jobs = detail::resolve_jobs(options.jobs);
  const std::size_t n = source.size();
  const std::uint32_t K = options.num_perm;
  file_writer w(out, kind_scan);
  {
    enc h;
    h.str(encode_options(options));
    h.str(id.label);
    h.u64(id.key);
    h.u64(n);
    w.section(sec_head, 0, h.b);
  }
  for (std::size_t lo = 0; lo < n; lo += chunk_docs) {
    const std::size_t hi = std::min(n, lo + chunk_docs);
    enc nm;
    nm.u64(lo);
    nm.u32(static_cast<std::uint32_t>(hi - lo));
    for (std::size_t i = lo; i < hi; ++i) {
      nm.str(source.name(i));
      nm.str(source.group(i));
    }
    w.section(sec_name, 0, nm.b);
  }
  std::vector<detail::scan_scratch> scratch(jobs);
  std::vector<scan_record> recs;
  std::size_t done = 0;
  std::uint64_t bytes = 0;
  for (std::size_t lo = 0; lo < n; lo += chunk_docs) {
    const std::size_t hi = std::min(n, lo + chunk_docs);
    recs.assign(hi - lo, scan_record{});
    detail::parallel_for(hi - lo, jobs, 8, [&](unsigned wk, std::size_t k) {
      {
        page_markup markup;
        auto data = source.read_marked(lo + k, markup);
        recs[k] = detail::scan_document(std::move(data), cfg, scratch[wk], &markup);
      }
    });
    enc d;
    d.u64(lo);
    d.u32(static_cast<std::uint32_t>(hi - lo));
    for (std::size_t k = 0; k < recs.size(); ++k) {
      const scan_record& r = recs[k];
      put_scan(d, r, K);
      bytes += r.res.bytes;
      if (skipped != nullptr && r.res.status == doc_status::skipped)
        skipped->push_back({lo + k, r.res.error, r.res.error_offset});
    }
    w.section(sec_docs, 0, d.b);
    done = hi;
    if (progress) progress({"scan", done, n, bytes});
  }
  return w.finish();
}

std::error_code scan_shard_content(const document_source& source, std::string label, const fs::path& state,
                                   const fs::path& out, unsigned jobs, const progress_callback& progress,
                                   std::vector<skipped_document>* skipped) {
  const shard_identity id = identify_shard(source, std::move(label));
  state_file sf = read_state(state, &id.key);
  const merge_shard* shard = nullptr;
  for (const merge_shard& m : sf.shards)
    if (m.key == id.key) shard = &m;
  if (shard == nullptr || shard->documents != source.size())
    throw format_error(fmt::format("{}: does not hold this shard", state.string()));
  const detail::engine_config cfg(sf.opt);
  jobs = detail::resolve_jobs(jobs);
  const std::uint32_t K = sf.opt.num_perm;
  std::vector<std::uint32_t> mine;  // pending documents of this shard, as corpus indices
  for (const std::uint32_t i : sf.pending)
    if (i >= shard->first && i < shard->first + shard->documents) mine.push_back(i);

  file_writer w(out, kind_content);
  {
    enc h;
    h.str(encode_options(sf.opt));
    h.str(id.label);
    h.u64(id.key);
    h.u64(sf.digest);
    h.u32(sf.round);
    h.u64(mine.size());
    w.section(sec_head, 0, h.b);
  }
  std::vector<detail::scan_scratch> scratch(jobs);
  std::vector<content_record> recs;
  std::uint64_t bytes = 0;
  for (std::size_t lo = 0; lo < mine.size(); lo += chunk_docs) {
    const std::size_t hi = std::min(mine.size(), lo + chunk_docs);
    recs.assign(hi - lo, content_record{});
    detail::parallel_for(hi - lo, jobs, 8, [&](unsigned wk, std::size_t k) {
      const std::uint32_t i = mine[lo + k];
      const loaded_doc& ld = sf.docs[i - sf.docs_first];
      const detail::content_input ci = detail::make_content_input(ld.res, ld.ex.raw_hash, ld.removals, i, sf.top);
      recs[k] = detail::content_document(source.read(i - shard->first), ci, cfg, scratch[wk]);
    });
    enc d;
    d.u32(static_cast<std::uint32_t>(hi - lo));
    for (std::size_t k = 0; k < recs.size(); ++k) {
      const std::uint32_t i = mine[lo + k];
      put_content(d, static_cast<std::uint32_t>(i - shard->first), recs[k], K);
      bytes += sf.docs[i - sf.docs_first].res.bytes;
      if (skipped != nullptr && recs[k].error) skipped->push_back({i - shard->first, recs[k].error, 0});
    }
    w.section(sec_docs, 0, d.b);
    if (progress) progress({"content", hi, mine.size(), bytes});
  }
  return w.finish();
}

merge_status merge_shards(const std::vector<fs::path>& inputs, const fs::path* state, const fs::path& out,
                          unsigned jobs, const std::string& temp_dir) {
  jobs = detail::resolve_jobs(jobs);
  merge_status status;
  std::vector<merge_shard> shards;
  std::vector<std::string> names;
  std::unique_ptr<run_state> st;

  if (state == nullptr) {
    // ---- round 0: pass-1 fingerprint files in corpus order
    if (inputs.empty()) throw format_error("merge: no fingerprint files given");
    struct input {
      fs::path path;
      std::uint64_t first = 0;
    };
    std::vector<input> used;
    std::vector<std::uint64_t> digests;
    std::vector<std::string> doc_groups;
    clean_options opt;
    fs::path first_path;
    for (const fs::path& p : inputs) {
      file_reader in(p, kind_scan);
      section s;
      clean_options o;
      merge_shard m;
      std::vector<std::string> nm;
      std::vector<std::string> gr;
      bool head = false;
      while (in.next(s, [](std::uint32_t tag, std::uint32_t) { return tag != sec_docs; })) {
        if (s.tag == sec_head) {
          parse_section(in, s, [&](dec& r) {
            o = get_options(r);
            m.label = r.str();
            m.key = r.u64();
            m.documents = r.u64();
          });
          if (m.documents > (std::uint64_t{1} << 32)) in.malformed(s);
          head = true;
        } else if (!head) {
          in.fail("the HEAD section is not first");
        } else if (s.tag == sec_name) {
          parse_section(in, s, [&](dec& r) {
            const std::uint64_t lo = r.u64();
            const std::uint32_t n = r.u32();
            if (lo != nm.size() || lo + n > m.documents) throw short_payload{};
            for (std::uint32_t k = 0; k < n; ++k) {
              nm.push_back(r.str());
              gr.push_back(r.str());
            }
          });
        }
      }
      if (!head) in.fail("no HEAD section");
      if (nm.size() != m.documents) in.fail("the names do not cover every document");
      if (used.empty()) {
        opt = o;
        first_path = p;
        try {
          opt.validate();
        } catch (const config_error& e) {
          in.fail(fmt::format("holds invalid options: {}", e.what()));
        }
      } else if (encode_options(o) != encode_options(opt)) {
        in.fail(fmt::format("made with other options than {}: {}", first_path.string(), options_difference(o, opt)));
      }
      const auto seen = std::find_if(shards.begin(), shards.end(), [&](const merge_shard& x) { return x.key == m.key; });
      if (seen != shards.end()) {
        const auto k = static_cast<std::size_t>(seen - shards.begin());
        note_repeated_shard(in, digests[k], used[k].path, m.label, status.notes);
        continue;
      }
      m.first = names.size();
      if (m.first + m.documents > (std::uint64_t{1} << 32) - 1) in.fail("the corpus exceeds 4 billion documents");
      shards.push_back(m);
      digests.push_back(in.digest());
      used.push_back({p, m.first});
      for (std::size_t k = 0; k < nm.size(); ++k) {
        names.push_back(std::move(nm[k]));
        doc_groups.push_back(std::move(gr[k]));
      }
    }
    detail::numbered_groups groups =
        detail::number_groups(doc_groups.size(), [&](std::size_t i) -> std::string_view { return doc_groups[i]; });
    doc_groups.clear();
    doc_groups.shrink_to_fit();
    opt.jobs = jobs;
    opt.temp_dir = temp_dir;
    st = std::make_unique<run_state>(opt, std::move(groups.group_of), std::move(groups.names), jobs);
    st->set_name_ranks(detail::name_ranks(names.size(), [&](std::size_t i) -> std::string_view { return names[i]; }));
    const std::uint32_t K = opt.num_perm;
    for (std::size_t u = 0; u < used.size(); ++u) {
      file_reader in(used[u].path, kind_scan);
      section s;
      std::uint64_t seen = 0;
      while (in.next(s, [](std::uint32_t tag, std::uint32_t) { return tag == sec_docs; })) {
        if (s.tag != sec_docs) continue;
        parse_section(in, s, [&](dec& r) {
          const std::uint64_t lo = r.u64();
          const std::uint32_t n = r.u32();
          if (lo != seen || lo + n > shards[u].documents) throw short_payload{};
          std::vector<scan_record> recs;
          recs.reserve(n);
          for (std::uint32_t k = 0; k < n; ++k) recs.push_back(get_scan(r, K));
          st->add_scans(used[u].first + lo, recs);
          seen += n;
        });
      }
      if (in.digest() != digests[u]) in.fail("changed while the merge was reading it");
      if (seen != shards[u].documents) in.fail("the fingerprints do not cover every document");
    }
    st->begin();
  } else {
    // ---- a content round: the state and the content files of its round
    const doc_loader load = [&](state_file& f, std::uint64_t i, std::uint32_t group, loaded_doc&& d,
                                std::span<const std::uint32_t> sig) {
      if (!st) st = make_run_state(f, jobs, temp_dir);
      st->group_of()[i] = group;
      st->load_document(i, d.res, d.ex, d.lines, d.removals, sig);
    };
    state_file sf = read_state(*state, nullptr, load);
    if (!st) st = make_run_state(sf, jobs, temp_dir);
    st->set_name_ranks(detail::name_ranks(sf.names.size(), [&](std::size_t i) -> std::string_view { return sf.names[i]; }));
    if (sf.pending.empty())
      throw format_error(fmt::format("{}: the run is complete (round {}): run apply, or merge with no files to "
                                     "write the report", state->string(), sf.round));
    shards = sf.shards;
    names = std::move(sf.names);
    const std::string opt_blob = encode_options(sf.opt);
    const std::uint64_t state_digest = sf.digest;
    const std::uint32_t round = sf.round;
    const std::uint32_t K = st->config().opt.num_perm;
    std::vector<std::uint8_t> waiting(st->size(), 0);
    for (const std::uint32_t i : st->pending()) waiting[i] = 1;
    std::vector<std::uint64_t> shard_digest(shards.size(), 0);
    std::vector<fs::path> shard_path(shards.size());
    for (const fs::path& p : inputs) {
      file_reader in(p, kind_content);
      section s;
      std::int64_t shard = -1;
      std::uint64_t expect = 0;
      std::uint64_t got = 0;
      std::vector<std::pair<std::uint32_t, content_record>> recs;
      while (in.next(s, load_all)) {
        if (s.tag == sec_head) {
          clean_options o;
          std::string label;
          std::uint64_t key = 0;
          std::uint64_t sd = 0;
          std::uint32_t r_round = 0;
          parse_section(in, s, [&](dec& r) {
            o = get_options(r);
            label = r.str();
            key = r.u64();
            sd = r.u64();
            r_round = r.u32();
            expect = r.u64();
          });
          if (encode_options(o) != opt_blob)
            in.fail(fmt::format("made with other options than the state {}: {}", state->string(),
                                options_difference(o, st->config().opt)));
          if (sd != state_digest || r_round != round)
            in.fail(fmt::format("was made from another state (round {}) than {} (round {})", r_round,
                                state->string(), round));
          for (std::size_t k = 0; k < shards.size(); ++k)
            if (shards[k].key == key) shard = static_cast<std::int64_t>(k);
          if (shard < 0) in.fail(fmt::format("shard {} is not part of the state {}", label, state->string()));
        } else if (shard < 0) {
          in.fail("the HEAD section is not first");
        } else if (s.tag == sec_docs) {
          parse_section(in, s, [&](dec& r) {
            const std::uint32_t n = r.u32();
            for (std::uint32_t k = 0; k < n; ++k) {
              std::uint32_t local = 0;
              content_record c = get_content(r, local, K);
              recs.emplace_back(local, std::move(c));
            }
            got += n;
          });
        }
      }
      if (shard < 0) in.fail("no HEAD section");
      if (got != expect) in.fail("holds fewer records than its header announces");
      const auto k = static_cast<std::size_t>(shard);
      if (shard_digest[k] != 0) {
        note_repeated_shard(in, shard_digest[k], shard_path[k], shards[k].label, status.notes);
        continue;
      }
      shard_digest[k] = in.digest();
      shard_path[k] = p;
      for (auto& [local, c] : recs) {
        const std::uint64_t i = shards[k].first + local;
        if (local >= shards[k].documents || waiting[i] != 1)
          in.fail(fmt::format("a record for document {} that is not pending", local));
        waiting[i] = 2;
        st->add_content(i, std::move(c));
      }
    }
    std::string missing;
    for (std::size_t k = 0; k < shards.size(); ++k) {
      std::uint64_t left = 0;
      for (std::uint64_t i = shards[k].first; i < shards[k].first + shards[k].documents; ++i) left += waiting[i] == 1;
      if (left != 0) missing += fmt::format("{}{} ({} pending documents)", missing.empty() ? "" : ", ", shards[k].label, left);
    }
    if (!missing.empty())
      throw format_error(fmt::format("merge: no content fingerprints for shard {} of round {}", missing, round));
    st->step();
  }
  write_state(out, *st, shards, names);
  status.round = st->round();
  status.complete = st->pending().empty();
  status.documents = st->size();
  status.shards = shards;
  count_pending(st->pending(), status.shards);
  return status;
}

run_decisions run_decisions::load(const fs::path& state, const std::uint64_t* only_shard_key,
                                   const std::string& temp_dir) {
  run_decisions d;
  // The decisions as run_state::finish() gives them.
  auto size_for = [&d, &temp_dir](std::uint64_t documents) {  // once, when the head is known
    if (d.decisions.docs.size() == documents && d.decisions.removals.size() == documents) return;
    d.decisions.docs.resize(documents);
    d.decisions.removals = removal_table(documents, temp_dir);
  };
  auto keep = [&](const state_file& f, std::uint64_t i, loaded_doc& ld) {
    size_for(f.documents);
    doc_result& r = d.decisions.docs[i];
    r = ld.res;
    if (r.status == doc_status::dropped) r.kept_bytes = 0;
    d.decisions.removals.set(i, ld.removals);
  };
  const doc_loader load = [&](state_file& f, std::uint64_t i, std::uint32_t, loaded_doc&& ld,
                              std::span<const std::uint32_t>) { keep(f, i, ld); };
  state_file sf = read_state(state, only_shard_key, load);
  d.options = sf.opt;
  d.status.round = sf.round;
  d.status.complete = sf.pending.empty();
  d.status.documents = sf.documents;
  d.status.shards = sf.shards;
  count_pending(sf.pending, d.status.shards);
  d.names_ = std::move(sf.names);
  d.group_of_ = std::move(sf.group_of);
  for (const run_state::group_info& g : sf.groups) d.group_names_.push_back(g.name);
  if (d.group_names_.empty()) d.group_names_.emplace_back();
  for (std::size_t k = 0; k < sf.docs.size(); ++k) keep(sf, sf.docs_first + k, sf.docs[k]);
  size_for(sf.documents);
  for (run_state::top_key& t : sf.top) {
    if (t.doc == 0xFFFFFFFFu) continue;
    d.decisions.top_boilerplate.push_back({std::move(t.text), sf.groups[t.group].name, t.pages, sf.groups[t.group].clusters});
  }
  d.decisions.boilerplate_lines = sf.boilerplate_lines;
  return d;
}

clean_options state_options(const fs::path& state) {
  file_reader in(state, kind_state);
  section s;
  if (!in.next(s, load_all) || s.tag != sec_head) in.fail("the HEAD section is not first");
  clean_options o;
  parse_section(in, s, [&](dec& r) {
    o = get_options(r);
    r.p = r.e;
  });
  return o;
}

result<std::string> run_decisions::read(std::size_t) const { return make_error_code(errc::not_regular_file); }

}  // namespace dupstrip
