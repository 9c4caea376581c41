#include "storage/store.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "storage/fault_file_system.h"
#include "storage/info_log.h"
#include "storage/keys.h"

namespace quiver::storage {
namespace {

enum Family { kMeta, kDocs, kIds, kVectors, kModel, kPostings, kOplog, kSources, kFamilyCount };
constexpr std::array<const char*, kFamilyCount> kFamilyNames = {
    "meta", "docs", "ids", "vectors", "model", "postings", "oplog", "sources"};

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string msg = std::string(context) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsNotSupported()) return Status::NotSupported(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsBusy() || s.IsTryAgain()) return Status::Busy(msg);
  return Status::IOError(msg);
}

// True when the store's CURRENT file names a MANIFEST that is not there: damage, whatever
// RocksDB calls it (PathNotFound when opening as primary, TryAgain as a secondary, which
// cannot tell it from a primary switching MANIFESTs; reading CURRENT again can).
bool ManifestMissing(const std::string& dir) {
  std::ifstream current(dir + "/CURRENT");
  std::string name;
  if (!std::getline(current, name) || name.empty()) return false;
  std::error_code ec;
  return !std::filesystem::exists(dir + "/" + name, ec) && !ec;
}

bool IsLockError(const rocksdb::Status& s) {
  const std::string text = s.ToString();
  return text.find("lock") != std::string::npos || text.find("LOCK") != std::string::npos;
}

rocksdb::ColumnFamilyOptions FamilyOptions(int family,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions options;
  // Float vectors do not compress; skip the CPU cost.
  if (family == kVectors) options.compression = rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Every upsert looks its id up, and new ids are the common case: a bloom filter answers
  // most of those misses without reading table blocks.
  if (family == kIds) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// One block cache shared by every column family of a store.
std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors() {
  auto cache = rocksdb::NewLRUCache(128 << 20);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int f = 0; f < kFamilyCount; ++f) {
    descriptors.emplace_back(kFamilyNames[f], FamilyOptions(f, cache));
  }
  return descriptors;
}

}  // namespace

// Operations are recorded by family and resolved to column-family handles by Store::Write.
struct WriteBatch::Rep {
  enum class Kind { kPut, kDelete, kDeleteAll };
  struct Op {
    Family family;
    Kind kind;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops;
};

WriteBatch::WriteBatch() : rep_(std::make_unique<Rep>()) {}
WriteBatch::~WriteBatch() = default;

void WriteBatch::PutRecord(uint64_t internal_id, const StoredDoc& doc,
                           std::span<const float> vector) {
  const std::string key = EncodeU64Key(internal_id);
  rep_->ops.push_back({kDocs, Rep::Kind::kPut, key, EncodeDoc(doc)});
  rep_->ops.push_back({kVectors, Rep::Kind::kPut, key, EncodeVector(vector)});
  rep_->ops.push_back({kIds, Rep::Kind::kPut, doc.external_id, key});
}

void WriteBatch::DeleteRecord(uint64_t internal_id, std::string_view external_id) {
  const std::string key = EncodeU64Key(internal_id);
  rep_->ops.push_back({kDocs, Rep::Kind::kDelete, key, {}});
  rep_->ops.push_back({kVectors, Rep::Kind::kDelete, key, {}});
  rep_->ops.push_back({kIds, Rep::Kind::kDelete, std::string(external_id), {}});
}

void WriteBatch::PutVector(uint64_t internal_id, std::span<const float> vector) {
  rep_->ops.push_back({kVectors, Rep::Kind::kPut, EncodeU64Key(internal_id), EncodeVector(vector)});
}

void WriteBatch::AppendOplog(const OplogEntry& entry) {
  rep_->ops.push_back(
      {kOplog, Rep::Kind::kPut, EncodeU64Key(entry.sequence), EncodeOplogValue(entry)});
}

void WriteBatch::PutMeta(std::string_view key, std::string_view value) {
  rep_->ops.push_back({kMeta, Rep::Kind::kPut, std::string(key), std::string(value)});
}

void WriteBatch::DeleteMeta(std::string_view key) {
  rep_->ops.push_back({kMeta, Rep::Kind::kDelete, std::string(key), {}});
}

void WriteBatch::PutMetaU64(std::string_view key, uint64_t value) {
  PutMeta(key, std::to_string(value));
}

void WriteBatch::PutModel(std::string_view key, std::string_view value) {
  rep_->ops.push_back({kModel, Rep::Kind::kPut, std::string(key), std::string(value)});
}

void WriteBatch::ClearModel() { rep_->ops.push_back({kModel, Rep::Kind::kDeleteAll, {}, {}}); }

void WriteBatch::PutPosting(std::string_view key, std::string_view value) {
  rep_->ops.push_back({kPostings, Rep::Kind::kPut, std::string(key), std::string(value)});
}

void WriteBatch::DeletePosting(std::string_view key) {
  rep_->ops.push_back({kPostings, Rep::Kind::kDelete, std::string(key), {}});
}

void WriteBatch::ClearPostings() {
  rep_->ops.push_back({kPostings, Rep::Kind::kDeleteAll, {}, {}});
}

void WriteBatch::PutSource(std::string_view path, std::string_view value) {
  rep_->ops.push_back({kSources, Rep::Kind::kPut, std::string(path), std::string(value)});
}

void WriteBatch::DeleteSource(std::string_view path) {
  rep_->ops.push_back({kSources, Rep::Kind::kDelete, std::string(path), {}});
}

struct Store::Rep {
  util::FaultInjector* faults = nullptr;
  std::unique_ptr<rocksdb::Env> env;  // the fault-injecting one; null for the default
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // as opened; [0] is default
  // Family -> handle. A read-only open of a database written before a family existed maps
  // that family to the (empty) default family.
  std::array<rocksdb::ColumnFamilyHandle*, kFamilyCount> families{};
  bool read_only = false;
  std::string secondary_dir;  // scratch directory of a read-only (secondary) instance

  rocksdb::ColumnFamilyHandle* cf(Family f) const { return families[f]; }

  void MapFamilies() {
    families.fill(handles[0]);
    for (auto* handle : handles) {
      for (int f = 0; f < kFamilyCount; ++f) {
        if (handle->GetName() == kFamilyNames[f]) families[f] = handle;
      }
    }
  }

  ~Rep() {
    if (db && !read_only) {
      // Flushing now spares the next open a replay of the write-ahead log.
      rocksdb::FlushOptions flush;
      db->Flush(flush, handles).PermitUncheckedError();
    }
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    if (db) db->Close();
    db.reset();
    if (!secondary_dir.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(secondary_dir, ignored);
    }
  }

  Status Scan(Family family, std::string_view from,
              const std::function<Status(std::string_view, std::string_view)>& visit) {
    rocksdb::ReadOptions read_options;
    read_options.verify_checksums = true;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, cf(family)));
    for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
      QUIVER_RETURN_IF_ERROR(visit(std::string_view(it->key().data(), it->key().size()),
                                   std::string_view(it->value().data(), it->value().size())));
    }
    return FromRocks(it->status(), std::string("reading ") + kFamilyNames[family]);
  }

  // Like Scan, over the keys that start with `prefix` only.
  Status ScanPrefix(Family family, std::string_view prefix,
                    const std::function<Status(std::string_view, std::string_view)>& visit) {
    rocksdb::ReadOptions read_options;
    read_options.verify_checksums = true;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, cf(family)));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (!key.starts_with(prefix)) break;
      QUIVER_RETURN_IF_ERROR(visit(key, std::string_view(it->value().data(), it->value().size())));
    }
    return FromRocks(it->status(), std::string("reading ") + kFamilyNames[family]);
  }

  Result<std::optional<std::string>> Get(Family family, std::string_view key) {
    std::string value;
    rocksdb::Status s =
        db->Get(rocksdb::ReadOptions(), cf(family), rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, std::string("reading ") + kFamilyNames[family]);
    return std::optional<std::string>(std::move(value));
  }

  Result<Store::MaybeValues> MultiGet(Family family, std::span<const uint64_t> ids) {
    std::vector<std::string> keys;
    keys.reserve(ids.size());
    for (uint64_t id : ids) keys.push_back(EncodeU64Key(id));
    return MultiGet(family, std::vector<rocksdb::Slice>(keys.begin(), keys.end()));
  }

  Result<Store::MaybeValues> MultiGet(Family family, const std::vector<rocksdb::Slice>& keys) {
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db->MultiGet(rocksdb::ReadOptions(), cf(family), keys.size(), keys.data(), values.data(),
                 statuses.data());
    Store::MaybeValues out(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) {
        return FromRocks(statuses[i], std::string("reading ") + kFamilyNames[family]);
      }
      out[i].emplace(values[i].data(), values[i].size());
    }
    return out;
  }
};

Store::Store(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Store::~Store() = default;

bool Store::read_only() const { return rep_->read_only; }

util::FaultInjector* Store::faults() const { return rep_->faults; }

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, Mode mode,
                                           bool create_if_missing, util::FaultInjector* faults) {
  rocksdb::DBOptions options;
  options.create_if_missing = create_if_missing && mode == Mode::kReadWrite;
  options.create_missing_column_families = mode == Mode::kReadWrite;
  options.paranoid_checks = true;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;

  auto rep = std::make_unique<Rep>();
  rep->read_only = mode == Mode::kReadOnly;
  rep->faults = faults;
  if (faults != nullptr) {
    rep->env = rocksdb::NewCompositeEnv(
        NewFaultInjectionFileSystem(rocksdb::FileSystem::Default(), faults));
    options.env = rep->env.get();
  }
  if (options.create_if_missing) {
    std::error_code ignored;  // RocksDB reports a directory it cannot create
    std::filesystem::create_directories(dir, ignored);
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (mode == Mode::kReadWrite) {
    options.info_log = NewInfoLog(dir);
    s = rocksdb::DB::Open(options, dir, FamilyDescriptors(), &rep->handles, &raw);
  } else {
    // A secondary instance reads a consistent view while a primary may be writing.
    char scratch[] = "/tmp/quiver-reader-XXXXXX";
    if (mkdtemp(scratch) == nullptr) return Status::IOError("cannot create a temporary directory");
    rep->secondary_dir = scratch;
    options.max_open_files = -1;
    options.info_log = NewInfoLog(rep->secondary_dir);
    std::vector<std::string> existing;
    rocksdb::DB::ListColumnFamilies(options, dir, &existing).PermitUncheckedError();
    auto descriptors = FamilyDescriptors();
    std::erase_if(descriptors, [&](const rocksdb::ColumnFamilyDescriptor& d) {
      return !existing.empty() &&
             std::find(existing.begin(), existing.end(), d.name) == existing.end();
    });
    s = rocksdb::DB::OpenAsSecondary(options, dir, rep->secondary_dir, descriptors, &rep->handles,
                                     &raw);
    if (s.ok()) s = raw->TryCatchUpWithPrimary();
  }
  rep->db.reset(raw);
  if (!s.ok()) {
    rep->handles.clear();
    if (mode == Mode::kReadWrite && s.IsIOError() && IsLockError(s)) {
      return Status::Busy(
          "database is locked by another process (open it read-only to read "
          "while it is being written)");
    }
    if (!create_if_missing && (s.IsPathNotFound() || s.IsTryAgain()) && ManifestMissing(dir)) {
      return Status::Corruption("opening the store: " + dir +
                                "/CURRENT names a MANIFEST file that does not exist (" +
                                s.ToString() + ")");
    }
    return FromRocks(s, "opening the store");
  }
  rep->MapFamilies();
  return std::unique_ptr<Store>(new Store(std::move(rep)));
}

Status Store::Write(WriteBatch& batch) {
  if (rep_->read_only) return Status::NotSupported("database is open read-only");
  rocksdb::WriteBatch rocks_batch;
  // Keys of the families cleared whole start with an ASCII letter or a UTF-8 lead byte, never
  // 0xff, so the range from "" to this bound covers every one of them.
  const std::string beyond_every_key(16, '\xff');
  // Applied in (family, key) order: a memtable takes keys in order far faster than scattered,
  // and a big ingest batch holds millions of postings. The sort is stable, so operations on
  // one key keep their order (and a whole-family clear, recorded first, stays first).
  const auto& ops = batch.rep_->ops;
  std::vector<uint32_t> order(ops.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (ops[a].family != ops[b].family) return ops[a].family < ops[b].family;
    return ops[a].key < ops[b].key;
  });
  for (uint32_t index : order) {
    const auto& op = ops[index];
    auto* family = rep_->cf(op.family);
    rocksdb::Status s;
    switch (op.kind) {
      case WriteBatch::Rep::Kind::kPut:
        s = rocks_batch.Put(family, op.key, op.value);
        break;
      case WriteBatch::Rep::Kind::kDelete:
        s = rocks_batch.Delete(family, op.key);
        break;
      case WriteBatch::Rep::Kind::kDeleteAll:
        s = rocks_batch.DeleteRange(family, "", beyond_every_key);
        break;
    }
    if (!s.ok()) return FromRocks(s, "preparing a write");
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocks(rep_->db->Write(write_options, &rocks_batch), "storing the write batch");
}

Result<std::optional<std::string>> Store::GetMeta(std::string_view key) {
  return rep_->Get(kMeta, key);
}

Result<std::optional<std::string>> Store::GetModel(std::string_view key) {
  return rep_->Get(kModel, key);
}

Result<uint64_t> Store::GetMetaU64(std::string_view key, uint64_t fallback) {
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> value, GetMeta(key));
  if (!value.has_value()) return fallback;
  const std::string& text = *value;
  char* end = nullptr;
  errno = 0;
  unsigned long long number = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0) {
    return Status::Corruption("meta key '" + std::string(key) + "' holds '" + text +
                              "'; expected an unsigned integer");
  }
  return static_cast<uint64_t>(number);
}

Result<std::optional<uint64_t>> Store::FindInternalId(std::string_view external_id) {
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> value, rep_->Get(kIds, external_id));
  if (!value.has_value()) return std::optional<uint64_t>();
  auto id = DecodeU64Key(*value);
  if (!id)
    return Status::Corruption("id map entry for '" + std::string(external_id) + "' is malformed");
  return std::optional<uint64_t>(*id);
}

Result<std::vector<std::optional<uint64_t>>> Store::FindInternalIds(
    std::span<const std::string_view> external_ids) {
  std::vector<rocksdb::Slice> keys;
  keys.reserve(external_ids.size());
  for (std::string_view id : external_ids) keys.emplace_back(id.data(), id.size());
  QUIVER_ASSIGN_OR_RETURN(const MaybeValues values, rep_->MultiGet(kIds, keys));
  std::vector<std::optional<uint64_t>> found(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i].has_value()) continue;
    found[i] = DecodeU64Key(*values[i]);
    if (!found[i]) {
      return Status::Corruption("id map entry for '" + std::string(external_ids[i]) +
                                "' is malformed");
    }
  }
  return found;
}

Result<StoredDoc> Store::GetDoc(uint64_t internal_id) {
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> value,
                          rep_->Get(kDocs, EncodeU64Key(internal_id)));
  if (!value.has_value()) {
    return Status::NotFound("no document with internal id " + std::to_string(internal_id));
  }
  return DecodeDoc(*value);
}

Status Store::GetVector(uint64_t internal_id, int dimension, std::vector<float>* out) {
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> value,
                          rep_->Get(kVectors, EncodeU64Key(internal_id)));
  if (!value.has_value()) {
    return Status::NotFound("no vector with internal id " + std::to_string(internal_id));
  }
  return DecodeVector(*value, dimension, out);
}

Result<Store::MaybeValues> Store::MultiGetDocs(std::span<const uint64_t> internal_ids) {
  return rep_->MultiGet(kDocs, internal_ids);
}

Result<Store::MaybeValues> Store::MultiGetVectors(std::span<const uint64_t> internal_ids) {
  return rep_->MultiGet(kVectors, internal_ids);
}

Status Store::ScanDocs(const DocVisitor& visit) {
  return rep_->Scan(kDocs, "", [&](std::string_view key, std::string_view value) {
    auto id = DecodeU64Key(key);
    if (!id) return Status::Corruption("document key is malformed");
    QUIVER_ASSIGN_OR_RETURN(const StoredDoc doc, DecodeDoc(value));
    return visit(*id, doc);
  });
}

Status Store::ScanDocMetadata(const MetadataVisitor& visit) {
  return rep_->Scan(kDocs, "", [&](std::string_view key, std::string_view value) {
    auto id = DecodeU64Key(key);
    if (!id) return Status::Corruption("document key is malformed");
    QUIVER_ASSIGN_OR_RETURN(const std::string_view metadata, DocMetadataView(value));
    return visit(*id, metadata);
  });
}

Status Store::ScanVectors(const VectorVisitor& visit) {
  return rep_->Scan(kVectors, "", [&](std::string_view key, std::string_view value) {
    auto id = DecodeU64Key(key);
    if (!id) return Status::Corruption("vector key is malformed");
    return visit(*id, value);
  });
}

Status Store::ScanIds(const IdVisitor& visit) {
  return rep_->Scan(kIds, "", [&](std::string_view key, std::string_view value) {
    auto id = DecodeU64Key(value);
    if (!id) return Status::Corruption("id map entry for '" + std::string(key) + "' is malformed");
    return visit(key, *id);
  });
}

Result<std::optional<std::string>> Store::GetPosting(std::string_view key) {
  return rep_->Get(kPostings, key);
}

Result<std::optional<std::string>> Store::GetSource(std::string_view path) {
  return rep_->Get(kSources, path);
}

Status Store::ScanPostings(std::string_view prefix, const KeyValueVisitor& visit) {
  return rep_->ScanPrefix(kPostings, prefix, visit);
}

Status Store::ScanModel(const KeyValueVisitor& visit) { return rep_->Scan(kModel, "", visit); }

Status Store::ScanSources(const KeyValueVisitor& visit) { return rep_->Scan(kSources, "", visit); }

Status Store::ScanOplog(uint64_t after, const OplogVisitor& visit) {
  return rep_->Scan(kOplog, EncodeU64Key(after + 1),
                    [&](std::string_view key, std::string_view value) {
                      QUIVER_ASSIGN_OR_RETURN(const OplogEntry entry, DecodeOplogEntry(key, value));
                      return visit(entry);
                    });
}

Status Store::TrimOplog(uint64_t through) {
  if (rep_->read_only) return Status::NotSupported("database is open read-only");
  rocksdb::WriteBatch batch;
  std::string end = EncodeU64Key(through + 1);
  rocksdb::Status s = batch.DeleteRange(rep_->cf(kOplog), EncodeU64Key(0), end);
  if (s.ok())
    s = batch.Put(rep_->cf(kMeta), std::string(meta_key::kOplogTrimmedThrough),
                  std::to_string(through));
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  if (s.ok()) s = rep_->db->Write(write_options, &batch);
  return FromRocks(s, "trimming the operation log");
}

Status Store::VerifyChecksums() {
  return FromRocks(rep_->db->VerifyChecksum(), "verifying store checksums");
}

Status Store::CompactAll() {
  if (rep_->read_only) return Status::NotSupported("database is open read-only");
  for (int f = 0; f < kFamilyCount; ++f) {
    rocksdb::Status s = rep_->db->CompactRange(rocksdb::CompactRangeOptions(),
                                               rep_->cf(static_cast<Family>(f)), nullptr, nullptr);
    if (!s.ok()) return FromRocks(s, std::string("compacting ") + kFamilyNames[f]);
  }
  return Status::OK();
}

Status Store::Backup(const std::string& dir) {
  if (rep_->read_only) return Status::NotSupported("database is open read-only");
  if (std::filesystem::exists(dir)) {
    return Status::InvalidArgument("cannot back up into " + dir + ": it exists");
  }
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(rep_->db.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: always flush, so the copy needs no write-ahead log replay.
  if (s.ok()) s = checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0);
  return FromRocks(s, "backing up the store");
}

}  // namespace quiver::storage
