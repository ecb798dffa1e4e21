#include "core/base/npy_writer.h"

#include <sstream>

#include "core/base/file_io.h"

namespace clippo {

std::string encode_npy(const std::string& dtype, const std::vector<int64_t>& shape, const void* data,
                       size_t n_bytes) {
  std::ostringstream header;
  header << "{'descr': '" << dtype << "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) header << shape[i] << (shape.size() == 1 || i + 1 < shape.size() ? ", " : "");
  header << "), }";
  std::string h = header.str();
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple
  // of 64 and ended by '\n', as NumPy writes it.
  const size_t unpadded = 10 + h.size() + 1;
  h.append((64 - unpadded % 64) % 64, ' ');
  h.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(h.size() & 0xFF));
  out.push_back(static_cast<char>(h.size() >> 8));
  out += h;
  out.append(static_cast<const char*>(data), n_bytes);
  return out;
}

void write_npy(const std::string& path, const std::string& dtype, const std::vector<int64_t>& shape,
               const void* data, size_t n_bytes) {
  write_file_atomically(path, encode_npy(dtype, shape, data, n_bytes));
}

}  // namespace clippo
