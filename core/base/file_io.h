// Whole-file reads and atomic whole-file writes, with errors that name the path.
#pragma once

#include <cstddef>
#include <string>

namespace clippo {

// Writes `bytes` to `path` via a temporary file in the same folder and a rename, so a reader
// never sees a half-written file.
void write_file_atomically(const std::string& path, const std::string& bytes);

// fsyncs the folder holding `path`, so a rename or creation in it is durable.
void sync_directory_of(const std::string& path);

// Deletes `path` and everything under it, like std::filesystem::remove_all, which must not be
// used here: PyTorch's pip libtorch.so exports its own std::filesystem::remove_all, which
// interposes on the standard library's in any process linked with it and crashes (seen on the
// GPU build, 2026-11-22). A missing path is not an error.
void remove_tree(const std::string& path);

// Reads a whole file; throws NotFound / Unavailable with the path in the message.
std::string read_file(const std::string& path, size_t max_bytes = static_cast<size_t>(1) << 32);

}  // namespace clippo
