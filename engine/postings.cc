#include "engine/postings.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "storage/keys.h"

namespace quiver::engine {
namespace {

// The `D` value: the document's length, then its distinct term ids (u32 little-endian each).
std::string EncodeDocTerms(const TermCounts& terms, uint32_t length) {
  std::string out(4 * (terms.size() + 1), '\0');
  std::memcpy(out.data(), &length, 4);
  for (size_t i = 0; i < terms.size(); ++i)
    std::memcpy(out.data() + 4 * (i + 1), &terms[i].first, 4);
  return out;
}

Result<uint64_t> ReadDocumentFrequency(storage::Store& store, uint32_t term) {
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> value,
                          store.GetPosting(storage::TermDocsKey(term)));
  if (!value.has_value()) return uint64_t{0};
  auto count = storage::DecodeU64Key(*value);
  if (!count)
    return Status::Corruption("document frequency of term " + std::to_string(term) +
                              " is malformed");
  return *count;
}

}  // namespace

TermCounts CountTerms(std::span<const int32_t> ids) {
  std::vector<uint32_t> sorted;
  sorted.reserve(ids.size());
  for (int32_t id : ids) {
    if (id >= 0) sorted.push_back(static_cast<uint32_t>(id));
  }
  std::sort(sorted.begin(), sorted.end());
  TermCounts counts;
  for (uint32_t term : sorted) {
    if (!counts.empty() && counts.back().first == term) {
      ++counts.back().second;
    } else {
      counts.emplace_back(term, 1);
    }
  }
  return counts;
}

void PostingsWriter::Add(uint64_t internal_id, const TermCounts& terms, uint32_t length) {
  if (terms.empty()) return;
  for (const auto& [term, count] : terms) {
    batch_->PutPosting(storage::PostingKey(term, internal_id),
                       storage::EncodePostingValue({count, length}));
    ++document_frequency_delta_[term];
  }
  batch_->PutPosting(storage::DocTermsKey(internal_id), EncodeDocTerms(terms, length));
  ++documents_delta_;
  tokens_delta_ += length;
}

Status PostingsWriter::Remove(uint64_t internal_id) {
  const std::string key = storage::DocTermsKey(internal_id);
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> value, store_->GetPosting(key));
  if (!value.has_value()) return Status::OK();
  const std::string& bytes = *value;
  if (bytes.size() < 4 || bytes.size() % 4 != 0) {
    return Status::Corruption("term list of document " + std::to_string(internal_id) +
                              " is malformed");
  }
  uint32_t length = 0;
  std::memcpy(&length, bytes.data(), 4);
  for (size_t offset = 4; offset < bytes.size(); offset += 4) {
    uint32_t term = 0;
    std::memcpy(&term, bytes.data() + offset, 4);
    batch_->DeletePosting(storage::PostingKey(term, internal_id));
    --document_frequency_delta_[term];
  }
  batch_->DeletePosting(key);
  --documents_delta_;
  tokens_delta_ -= length;
  return Status::OK();
}

Result<CollectionStats> PostingsWriter::Finish(const CollectionStats& stored) {
  const CollectionStats before = start_empty_ ? CollectionStats{} : stored;
  for (const auto& [term, delta] : document_frequency_delta_) {
    if (delta == 0) continue;
    uint64_t current = 0;
    if (!start_empty_) {
      QUIVER_ASSIGN_OR_RETURN(current, ReadDocumentFrequency(*store_, term));
    }
    const int64_t updated = static_cast<int64_t>(current) + delta;
    if (updated <= 0) {
      batch_->DeletePosting(storage::TermDocsKey(term));
    } else {
      batch_->PutPosting(storage::TermDocsKey(term),
                         storage::EncodeU64Key(static_cast<uint64_t>(updated)));
    }
  }
  document_frequency_delta_.clear();
  CollectionStats after;
  after.documents = static_cast<uint64_t>(
      std::max<int64_t>(0, static_cast<int64_t>(before.documents) + documents_delta_));
  after.tokens = static_cast<uint64_t>(
      std::max<int64_t>(0, static_cast<int64_t>(before.tokens) + tokens_delta_));
  batch_->PutMetaU64(storage::meta_key::kPostingDocuments, after.documents);
  batch_->PutMetaU64(storage::meta_key::kPostingTokens, after.tokens);
  return after;
}

Result<std::vector<ScoredDocument>> ScoreBm25(storage::Store& store, const TermCounts& query,
                                              const CollectionStats& stats,
                                              const Bm25Params& params, uint64_t id_bound) {
  if (stats.documents == 0) return std::vector<ScoredDocument>();
  // Scores accumulate in an array indexed by internal id when ids are dense enough (every
  // posting of a common term then costs an add, not a hash-map insert), else in a map.
  const bool dense = id_bound > 0 && id_bound <= (uint64_t{1} << 24);
  std::vector<float> by_id(dense ? id_bound : 0, 0.0f);
  std::vector<uint64_t> touched;
  std::unordered_map<uint64_t, float> by_map;
  const double n = static_cast<double>(stats.documents);
  const double average_length = std::max(1.0, static_cast<double>(stats.tokens) / n);
  for (const auto& [term, query_count] : query) {
    QUIVER_ASSIGN_OR_RETURN(const uint64_t df, ReadDocumentFrequency(store, term));
    if (df == 0) continue;
    const float idf = text::Bm25Idf(df, stats.documents);
    const float weight = idf * static_cast<float>(query_count);
    const float length_scale = params.k1 * params.b / static_cast<float>(average_length);
    const float length_base = params.k1 * (1 - params.b);
    Status s = store.ScanPostings(
        storage::PostingPrefix(term), [&](std::string_view key, std::string_view value) {
          auto doc = storage::PostingKeyDocument(key);
          auto posting = storage::DecodePostingValue(value);
          if (!doc || !posting) return Status::Corruption("a BM25 posting is malformed");
          const float tf = static_cast<float>(posting->term_frequency);
          const float norm = length_base + length_scale * posting->document_length;
          const float score = weight * tf * (params.k1 + 1) / (tf + norm);
          if (dense && *doc < id_bound) {
            if (by_id[*doc] == 0.0f) touched.push_back(*doc);
            by_id[*doc] += score;
          } else {
            by_map[*doc] += score;
          }
          return Status::OK();
        });
    QUIVER_RETURN_IF_ERROR(s);
  }
  std::vector<ScoredDocument> scored;
  scored.reserve(touched.size() + by_map.size());
  for (uint64_t id : touched) scored.push_back({id, by_id[id]});
  for (const auto& [id, score] : by_map) scored.push_back({id, score});
  return scored;
}

void SortBestFirst(std::vector<ScoredDocument>* scored, size_t keep) {
  auto better = [](const ScoredDocument& a, const ScoredDocument& b) {
    return a.score != b.score ? a.score > b.score : a.doc < b.doc;
  };
  if (keep < scored->size()) {
    std::partial_sort(scored->begin(), scored->begin() + keep, scored->end(), better);
    scored->resize(keep);
  } else {
    std::sort(scored->begin(), scored->end(), better);
  }
}

std::vector<ScoredDocument> FuseRrf(const std::vector<std::vector<ScoredDocument>>& lists,
                                    int rrf_k, const std::vector<float>& weights) {
  std::unordered_map<uint64_t, float> fused;
  for (size_t l = 0; l < lists.size(); ++l) {
    const float weight = l < weights.size() ? weights[l] : 1.0f;
    for (size_t rank = 0; rank < lists[l].size(); ++rank) {
      fused[lists[l][rank].doc] += weight / static_cast<float>(rrf_k + rank + 1);
    }
  }
  std::vector<ScoredDocument> out;
  out.reserve(fused.size());
  for (const auto& [id, score] : fused) out.push_back({id, score});
  SortBestFirst(&out);
  return out;
}

}  // namespace quiver::engine
