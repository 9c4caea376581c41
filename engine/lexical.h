// The full-text index as derived state, kept exactly like the vector index (engine/recovery.h):
// built from the stored texts by the database's analyzer, held in memory as a
// text::LexicalIndex, checkpointed to DB/index/lexical.qvl, and brought back on open by
// loading the checkpoint and replaying the operation log after it, or rebuilt from the store
// (announced) when the checkpoint is missing, stale, corrupt or made by another analyzer.
//
// Every record is a document of the index, one without text with no terms, so the index
// holds exactly record_count documents: recovery checks that, as it does for vectors.
//
// Checkpoint file: the standard header of index/checkpoint.h with metric 0, dimension 0 (no
// vector checkpoint has dimension 0, so the two files cannot be taken for each other), the
// operation-log sequence covered and the live document count. The payload is the analyzer
// tag (4 bytes little-endian length, then "<language> <ICU version>", e.g. "english 72.1")
// followed by text::LexicalIndex::Serialize() (format in text/lexical_index.h); a checkpoint
// whose tag is not the database's analyzer is rebuilt, so a crash between recording a new
// analyzer and checkpointing its index cannot leave the two mismatched.
#ifndef QUIVER_ENGINE_LEXICAL_H_
#define QUIVER_ENGINE_LEXICAL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/commit.h"
#include "engine/layout.h"
#include "quiver/status.h"
#include "quiver/types.h"
#include "storage/store.h"
#include "text/analyzer.h"
#include "text/lexical_index.h"
#include "text/lexical_query.h"

namespace quiver::engine {

using Reporter = std::function<void(const std::string&)>;

// The analyzer a database records in meta: its language and the ICU version that segmented
// the indexed texts.
struct AnalyzerChoice {
  std::string language;
  std::string icu_version;
};

// What `analyzer` is, as meta records it (with the running ICU version).
AnalyzerChoice ChoiceOf(const text::Analyzer& analyzer);

// The analyzer of `language`; InvalidArgument naming the valid languages otherwise.
Result<std::unique_ptr<text::Analyzer>> MakeAnalyzer(const std::string& language);

// The terms a record's text contributes to the index.
std::vector<text::Term> IndexTerms(const text::Analyzer& analyzer, std::string_view text);

// A fresh index of every stored record, analyzed on every core.
Result<std::unique_ptr<text::LexicalIndex>> BuildLexicalFromStore(storage::Store& store,
                                                                  const text::Analyzer& analyzer);

// Applies the operation-log entries after sequence `after` to `target`.
Status ReplayLexicalOplog(storage::Store& store, const text::Analyzer& analyzer,
                          text::LexicalIndex* target, uint64_t after);

struct RecoveredLexical {
  std::unique_ptr<text::LexicalIndex> index;
  uint64_t checkpoint_sequence = 0;  // 0: rebuilt or never checkpointed
  bool rebuilt = false;              // a checkpoint should be written (unless read-only)
};

// Loads the checkpoint and replays the operation log after it; rebuilds from the store,
// saying why through `report`, when `rebuild_reason` is not empty or the checkpoint cannot
// be used. Fails only when the store itself cannot be read.
Result<RecoveredLexical> RecoverLexical(storage::Store& store, const Layout& layout,
                                        const text::Analyzer& analyzer, const Counters& counters,
                                        const std::string& rebuild_reason, const Reporter& report);

// Rebuilds the index from the store, announcing it (with `reason`) and its duration.
Result<RecoveredLexical> RebuildLexical(storage::Store& store, const Layout& layout,
                                        const text::Analyzer& analyzer, const std::string& reason,
                                        const Reporter& report);

// Writes `index` as the checkpoint covering `sequence` (the caller trims the oplog once
// every checkpoint covers it). `faults` (tests only) may fail its file operations.
Status WriteLexicalCheckpoint(const Layout& layout, const text::Analyzer& analyzer,
                              const text::LexicalIndex& index, uint64_t sequence,
                              util::FaultInjector* faults = nullptr);

// Corruption unless the checkpoint file at `path` is whole and a full-text index made by
// `analyzer`.
Status VerifyLexicalCheckpointFile(const std::string& path, const text::Analyzer& analyzer);

// Corruption unless `index` holds exactly what `analyzer` makes of the stored texts: the same
// live documents and lengths, and for every term the same documents, frequencies and
// positions.
Status VerifyLexical(storage::Store& store, const text::Analyzer& analyzer,
                     const text::LexicalIndex& index);

// The whole words of `text` holding one of the terms of `query`'s should and must clauses.
std::vector<TextSpan> HighlightSpans(const text::Analyzer& analyzer,
                                     const text::LexicalQuery& query, std::string_view text);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_LEXICAL_H_
