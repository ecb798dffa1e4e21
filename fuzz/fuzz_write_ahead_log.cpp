// Fuzzes the write-ahead log twice per input, with the input taken as a log file:
//  1. as it is: WriteAheadLog::replay() keeps the intact records, cuts a torn tail, or names the
//     corrupt offset; after a replay that succeeds an append must be readable on reopening,
//     after the same records (the repair left a well-formed log).
//  2. with every record's CRC made right, as a store's wal.log: the records then reach the
//     store's decoder (upserts' JSON and vectors, removes), which must either open the store or
//     throw clippo::Error, never crash or let another exception out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <zlib.h>

#include "core/base/error.h"
#include "fuzz/fuzz_temp_file.h"
#include "index/collection_store.h"
#include "index/write_ahead_log.h"

namespace {

constexpr size_t kHeaderBytes = 16;  // "CLPWAL02" (or "01") + u64 first sequence
constexpr size_t kStoreDim = 4;

uint32_t read_u32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// The same records with correct CRCs, as far as the length fields frame them.
std::string with_crcs_repaired(std::string log) {
  size_t pos = kHeaderBytes;
  while (pos + 8 <= log.size()) {
    const uint64_t length = read_u32(log, pos);
    if (length > log.size() - pos - 8) break;
    const uint32_t crc =
        static_cast<uint32_t>(crc32_z(0L, reinterpret_cast<const Bytef*>(log.data() + pos + 8), length));
    for (int i = 0; i < 4; ++i) log[pos + 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
    pos += 8 + length;
  }
  return log;
}

std::vector<std::string> replay_all(clippo::index::WriteAheadLog& wal) {
  std::vector<std::string> records;
  wal.replay([&](uint64_t, const std::string& payload) { records.push_back(payload); });
  return records;
}

// A store of dimension kStoreDim with no snapshot, whose wal.log each input replaces.
const std::string& store_dir() {
  static const std::string dir = [] {
    const std::string d = clippo::fuzz::scratch_dir() + "/store";
    clippo::index::ModelIdentity model;
    model.content_hash = "fnv1a64:fuzz";
    model.path = "fuzz.npz";
    model.dim = kStoreDim;
    clippo::index::CollectionStore::create(d, model);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fs = std::filesystem;
  const std::string path = clippo::fuzz::write_scratch_file("wal.log", data, size);
  try {
    std::vector<std::string> records;
    {
      clippo::index::WriteAheadLog wal(path);
      records = replay_all(wal);
      wal.append({"appended after replay"});
    }
    clippo::index::WriteAheadLog reopened(path);
    const std::vector<std::string> again = replay_all(reopened);
    if (again.size() != records.size() + 1 || again.back() != "appended after replay") std::abort();
    for (size_t i = 0; i < records.size(); ++i) {
      if (again[i] != records[i]) std::abort();
    }
  } catch (const clippo::Error&) {
  }

  const std::string& dir = store_dir();
  if (size >= kHeaderBytes) {
    const std::string log = with_crcs_repaired(std::string(reinterpret_cast<const char*>(data), size));
    std::ofstream(dir + "/wal.log", std::ios::binary | std::ios::trunc).write(log.data(), static_cast<std::streamsize>(log.size()));
    try {
      const auto store = clippo::index::CollectionStore::open(dir);
      if (store->dim() != static_cast<int>(kStoreDim)) std::abort();
    } catch (const clippo::Error&) {
    }
    // Opening may have snapshotted: back to the empty store for the next input.
    for (const auto& entry : fs::directory_iterator(dir + "/snapshots")) fs::remove_all(entry.path());
    fs::remove(dir + "/CURRENT");
  }
  return 0;
}
