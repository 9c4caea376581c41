// quiver._quiver.DB.ingest: DB::Ingest on a worker thread while the calling thread, holding the
// GIL only between waits, hands the engine's progress and messages to the Python callables and
// checks for signals, so that Ctrl-C raises KeyboardInterrupt in the caller.
//
// On a signal or an exception raised by a callable the ingest is asked to stop at its next
// progress report (IngestOptions::on_progress returning false). Each source file is one atomic
// write, so what was stored stays consistent and a later ingest of the same paths finishes the
// job; the exception is raised once the engine has returned.
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "bindings.h"
#include "errors.h"
#include "options.h"

namespace quiver::python {
namespace {

// What the engine's thread reports to the caller's thread.
class Channel {
 public:
  // On the engine's thread: queues `progress`; false once the caller asked to stop.
  bool Progress(const IngestProgress& progress) {
    std::lock_guard lock(mu_);
    progress_.push_back(progress);
    cv_.notify_one();
    return !stop_;
  }
  void Message(const std::string& message) {
    std::lock_guard lock(mu_);
    messages_.push_back(message);
    cv_.notify_one();
  }
  void Finish(Result<IngestSummary> result) {
    std::lock_guard lock(mu_);
    result_.emplace(std::move(result));
    cv_.notify_one();
  }
  void Stop() {
    std::lock_guard lock(mu_);
    stop_ = true;
  }

  // On the caller's thread, without the GIL: waits up to `timeout` for news, then takes it.
  // True once the engine has returned (its result is then in result()).
  bool Wait(std::chrono::milliseconds timeout, std::deque<IngestProgress>* progress,
            std::deque<std::string>* messages) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout,
                 [&] { return result_.has_value() || !progress_.empty() || !messages_.empty(); });
    progress->swap(progress_);
    messages->swap(messages_);
    return result_.has_value();
  }
  Result<IngestSummary>& result() { return *result_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<IngestProgress> progress_;
  std::deque<std::string> messages_;
  std::optional<Result<IngestSummary>> result_;
  bool stop_ = false;
};

// keys: chunk_tokens, chunk_overlap, id_field, text_field, metadata_fields, extra_metadata
// (list of (key, value)), prune, skip_bad, text_columns, model_from, train (dict, as for
// DB.train), threads.
IngestOptions ParseIngestOptions(const py::dict& d) {
  IngestOptions o;
  auto has = [&](const char* key) { return d.contains(key) && !d[key].is_none(); };
  if (has("chunk_tokens")) o.chunk_tokens = d["chunk_tokens"].cast<int>();
  if (has("chunk_overlap")) o.chunk_overlap = d["chunk_overlap"].cast<int>();
  if (has("id_field")) o.id_field = d["id_field"].cast<std::string>();
  if (has("text_field")) o.text_field = d["text_field"].cast<std::string>();
  if (has("metadata_fields"))
    o.metadata_fields = StringList(d["metadata_fields"], "metadata_fields");
  if (has("extra_metadata")) {
    o.extra_metadata = d["extra_metadata"].cast<std::vector<std::pair<std::string, std::string>>>();
  }
  if (has("prune")) o.prune = d["prune"].cast<bool>();
  if (has("skip_bad")) o.skip_bad = d["skip_bad"].cast<bool>();
  if (has("text_columns")) o.text_columns = StringList(d["text_columns"], "text_columns");
  if (has("model_from")) o.model_from = d["model_from"].cast<std::string>();
  if (has("threads")) o.threads = d["threads"].cast<int>();
  if (has("train")) o.train = ParseTrainOptions(d["train"].cast<py::dict>());
  return o;
}

py::dict SummaryDict(const IngestSummary& s) {
  py::dict d;
  d["files_seen"] = s.files_seen;
  d["files_added"] = s.files_added;
  d["files_replaced"] = s.files_replaced;
  d["files_unchanged"] = s.files_unchanged;
  d["files_skipped"] = s.files_skipped;
  d["sources_pruned"] = s.sources_pruned;
  d["chunks_added"] = s.chunks_added;
  d["chunks_replaced"] = s.chunks_replaced;
  d["chunks_removed"] = s.chunks_removed;
  d["source_bytes"] = s.source_bytes;
  d["bytes"] = s.bytes;
  d["repaired_bytes"] = s.repaired_bytes;
  d["skipped_records"] = s.skipped_records;
  d["empty_chunks"] = s.empty_chunks;
  d["trained_model"] = s.trained_model;
  d["train_seconds"] = s.train_seconds;
  d["seconds"] = s.seconds;
  py::list skipped;
  for (const SkippedFile& file : s.skipped) skipped.append(py::make_tuple(file.path, file.reason));
  d["skipped"] = skipped;
  return d;
}

py::tuple ProgressTuple(const IngestProgress& p) {
  return py::make_tuple(std::string(IngestPhaseName(p.phase)), p.done, p.total,
                        std::string(p.unit), p.files_done, p.files_total, p.bytes_done,
                        p.bytes_total, p.chunks);
}

// Hands queued news to `progress(tuple)` and `message(str)` (either may be None) and checks for
// signals; the first exception is kept in `pending` and stops the ingest.
void Deliver(Channel& channel, std::deque<IngestProgress>& news, std::deque<std::string>& messages,
             const py::object& progress, const py::object& message,
             std::optional<py::error_already_set>& pending) {
  try {
    for (const std::string& text : messages) {
      if (!pending && !message.is_none()) message(py::str(text));
    }
    for (const IngestProgress& p : news) {
      if (!pending && !progress.is_none()) progress(ProgressTuple(p));
    }
    if (!pending && PyErr_CheckSignals() != 0) throw py::error_already_set();
  } catch (py::error_already_set& e) {
    pending.emplace(std::move(e));
    channel.Stop();
  }
  news.clear();
  messages.clear();
}

py::dict Ingest(std::shared_ptr<DBHandle> handle, const py::handle& paths_in,
                const py::dict& options_in, const py::object& progress, const py::object& message) {
  const std::vector<std::string> paths = StringList(paths_in, "paths");
  IngestOptions options = ParseIngestOptions(options_in);
  auto channel = std::make_shared<Channel>();
  // Returns false to stop the ingest (the engine then returns Cancelled).
  options.on_progress = [channel](const IngestProgress& p) { return channel->Progress(p); };
  options.on_message = [channel](const std::string& m) { channel->Message(m); };
  std::thread worker([handle, channel, paths, options] {
    channel->Finish(handle->Run([&](DB& db) { return db.Ingest(paths, options); }));
  });
  std::optional<py::error_already_set> pending;
  std::deque<IngestProgress> news;
  std::deque<std::string> messages;
  bool done = false;
  while (!done) {
    {
      py::gil_scoped_release release;
      done = channel->Wait(std::chrono::milliseconds(50), &news, &messages);
    }
    Deliver(*channel, news, messages, progress, message, pending);
  }
  {
    py::gil_scoped_release release;
    worker.join();
  }
  if (pending) throw std::move(*pending);
  return SummaryDict(ValueOrThrow(std::move(channel->result())));
}

}  // namespace

void BindIngest(DBClass& cls) {
  cls.def("ingest", &Ingest, py::arg("paths"), py::arg("options"), py::arg("progress"),
          py::arg("message"));
}

}  // namespace quiver::python
