// The analyzer: text → terms for the lexical index and for queries, a pipeline like Lucene's.
//
//   1. Segmentation. Unicode word segmentation (UAX #29) by ICU's word BreakIterator for the
//      root locale. Only word-like segments are kept (ICU rule status number, letter, kana or
//      ideographic); spaces, punctuation, symbols and emoji are dropped. Chinese, Japanese,
//      Thai, Lao, Khmer and Burmese have no spaces between words: for them ICU's dictionary
//      segmentation is the segmentation ("我喜欢北京" → 我 | 喜欢 | 北京). ICU's rules keep
//      together letters around a single '.' or apostrophe ("apt.conf", "don't"), digits
//      around '.' or ',' ("3.14", "1,000", "v1.2.3"), anything around '_' ("snake_case") and,
//      in ICU (not UAX #29), around '@' ("user@example.com"); ':' and '-' always separate.
//   2. Normalization, per word: NFKC with Unicode case folding (ICU's "nfkc_cf": "ﬁle" →
//      "file", "Straße" → "strasse", "ＡＢＣ" → "abc", soft hyphens removed), then U+2019
//      RIGHT SINGLE QUOTATION MARK becomes an ASCII apostrophe ("user’s" → "user's").
//   3. Stemming, per word, after folding: the Snowball stemmer of the language ("proxies",
//      "proxy" → "proxi"). Not stemmed: numbers and any term holding a digit ("1990s",
//      "x86"), kana and ideographic words. Words of other scripts pass through the stemmer,
//      which leaves what it does not know unchanged. Language "none" stems nothing.
//   4. Identifiers, kept whole and split. Consecutive words joined only by connector
//      characters (: - . / \ _ @, any number of them, no space) form one identifier, e.g.
//      "Acquire::http::Proxy", "e-mail", "/etc/apt/apt.conf", "x86-64", "2023-01-15". Each
//      word is cut into parts: at '_' and '@', at '.' unless a digit stands on both sides,
//      and an ASCII-alphanumeric piece before each uppercase letter that follows a lowercase
//      one ("camelCase" → camel | Case; "HTTPServer" stays whole). Each part is a term of
//      its own, at consecutive positions, normalized and stemmed as above. When there are two
//      parts or more, the whole identifier is one more term: the bytes from the first part's
//      start to the last part's end (so leading and trailing punctuation such as "/", "()",
//      "." or "__" is not part of it), normalized, not stemmed, connectors kept, at the
//      position of the first part and emitted before it. Examples (term@position):
//        "Acquire::http::Proxy" → acquire::http::proxy@0 acquir@0 http@1 proxi@2
//        "snake_case"           → snake_case@0 snake@0 case@1
//        "camelCase"            → camelcase@0 camel@0 case@1
//        "e-mail"               → e-mail@0 e@0 mail@1
//        "/etc/apt/apt.conf"    → etc/apt/apt.conf@0 etc@0 apt@1 apt@2 conf@3
//        "foo.bar()"            → foo.bar@0 foo@0 bar@1
//        "v1.2.3"               → v1.2.3@0        (a version: one part, no whole)
//        "__init__"             → init@0          (one part, no whole)
//   5. Limits. A term longer than kMaxTermBytes after normalization is dropped (a part takes
//      no position then; a long whole identifier is dropped while its parts stay). Only the
//      first 4 GiB - 1 bytes of a text are analyzed (offsets are 32-bit). ICU counts in
//      int32_t, so a text is segmented in windows of 16 MiB, each cut after an ASCII space
//      when there is one in its second half (so only 8 MiB without a space are ever cut).
//
// Positions count parts, from 0 for each text: phrase queries match consecutive positions.
// Offsets are byte offsets into the caller's text. Bytes that are not well-formed UTF-8 are
// treated as U+FFFD (never part of a word); offsets still point at the caller's bytes.
//
// A query analyzed by the same analyzer yields the same terms as a document holding the same
// words: the whole identifier lets "apt.conf" match exactly, its parts let "conf" match too.
// ICU's data (dictionaries, rules) come with the ICU library: another ICU version may segment
// some texts differently, which is why the lexical index is derived state.
//
// No function here throws; Analyze never fails on any input.
#ifndef QUIVER_TEXT_ANALYZER_H_
#define QUIVER_TEXT_ANALYZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace quiver::text {

struct AnalyzerOptions {
  // The Snowball stemmer: a libstemmer algorithm name as sb_stemmer_list() gives it
  // ("english", "french", "german", "porter", ...; ASCII case ignored), or "none" for no
  // stemming.
  std::string language = "english";
};

// One term of an analyzed text.
struct Term {
  std::string text;       // normalized (and, for parts, stemmed) term
  uint32_t position = 0;  // word position, from 0; a whole identifier shares its first part's
  uint32_t begin = 0;     // byte range [begin, end) of the caller's text the term came from
  uint32_t end = 0;
  friend bool operator==(const Term&, const Term&) = default;
};

class Analyzer {
 public:
  // Terms longer than this (bytes, after normalization) are dropped; Lucene's
  // StandardTokenizer uses the same limit (in characters) by default.
  static constexpr uint32_t kMaxTermBytes = 255;

  // Fails with InvalidArgument naming the language and listing the valid ones when
  // `options.language` is neither a libstemmer algorithm nor "none"; with NotSupported when
  // ICU's word break data cannot be loaded.
  static Result<std::unique_ptr<Analyzer>> Create(const AnalyzerOptions& options);

  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Replaces `*terms` with the terms of `text`, in position order (a whole identifier before
  // its first part). Thread-safe: may be called from many threads at once.
  void Analyze(std::string_view text, std::vector<Term>* terms) const;

  // The language, lower case: "english", "none", ... (what a database records in its meta).
  const std::string& Name() const { return name_; }

  // The version of the ICU library in use ("72.1"): its data decides the segmentation.
  static std::string IcuVersion();

 private:
  struct Workspace;  // per-thread state: a word break iterator, a stemmer, scratch buffers
  class Run;         // the analysis of one text by one workspace

  explicit Analyzer(std::string name);
  static Result<std::unique_ptr<Workspace>> NewWorkspace(const std::string& language);
  std::unique_ptr<Workspace> Acquire() const;
  void Release(std::unique_ptr<Workspace> workspace) const;

  const std::string name_;
  // Idle workspaces; Analyze takes one (or makes one) and gives it back.
  mutable util::Mutex mu_;
  mutable std::vector<std::unique_ptr<Workspace>> idle_ GUARDED_BY(mu_);
  // Used, under reserve_mu_, when a new workspace cannot be made (out of memory).
  mutable util::Mutex reserve_mu_;
  std::unique_ptr<Workspace> reserve_ GUARDED_BY(reserve_mu_);
};

}  // namespace quiver::text

#endif  // QUIVER_TEXT_ANALYZER_H_
