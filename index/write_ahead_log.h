// An append-only log of length-prefixed, CRC-checked records: what makes a write durable
// before it is acknowledged.
//
// File: "CLPWAL02" ("CLPWAL01" before writes were grouped), u64 first sequence number, then
// records [u32 length][u32 crc32][payload].
// append() writes a batch of records with one write() and fdatasync()s before returning.
// replay() hands back every intact record; a record cut short or garbled at the very end of the
// file (a crash mid-append) is a torn tail: it is dropped and the file truncated to the last
// good record. A bad record with intact data after it is corruption: an error naming the offset.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace clippo::index {

class WriteAheadLog {
 public:
  // Opens (creating if absent) the log at `path`. Read-only: the log must exist, replay()
  // leaves a torn tail in place (and stops before it), and append() / reset() are refused;
  // for a store on a read-only volume or served by a replica.
  explicit WriteAheadLog(const std::string& path, bool read_only = false);
  ~WriteAheadLog();
  WriteAheadLog(const WriteAheadLog&) = delete;
  WriteAheadLog& operator=(const WriteAheadLog&) = delete;

  // Calls `visit(sequence, payload)` for every intact record, in order; truncates a torn tail.
  // Returns the number of records. Throws Internal (with the offset) on corruption.
  size_t replay(const std::function<void(uint64_t, const std::string&)>& visit);

  // Appends payloads as consecutive records and makes them durable. Returns the sequence
  // number of the first one. Throws Unavailable when the disk refuses (full, read-only, a file
  // size limit): the log is cut back to its last acknowledged record, so nothing of the failed
  // batch is replayed and later appends stay readable.
  uint64_t append(const std::vector<std::string>& payloads);

  // Starts a new, empty log whose first record will get `next_sequence` (after a snapshot has
  // made the old records redundant). Atomic: a crash leaves either the old or the new log.
  void reset(uint64_t next_sequence);

  // Cuts the log back to its records before `next_sequence` (after replay(): a writer dropping
  // the records of a write that never committed). Durable on return.
  void truncate_to(uint64_t next_sequence);

  uint64_t next_sequence() const { return next_sequence_; }
  uint64_t first_sequence() const { return first_sequence_; }  // after replay()
  // Whether its writer ends every write with a commit record ("CLPWAL02"), so records after the
  // last commit belong to a write that was never acknowledged.
  bool grouped() const { return grouped_; }
  uint64_t size_bytes() const { return size_bytes_; }
  const std::string& path() const { return path_; }

 private:
  void open_for_append();

  void check_writable() const;

  std::string path_;
  bool read_only_ = false;
  int fd_ = -1;
  uint64_t first_sequence_ = 0;
  uint64_t next_sequence_ = 0;
  uint64_t size_bytes_ = 0;
  bool grouped_ = false;
  std::vector<uint64_t> record_ends_;  // byte offset after each replayed record
  bool broken_ = false;  // a failed append could not be cut back: refuse appends until reopened
  std::string broken_reason_;
};

}  // namespace clippo::index
