#pragma once
// SHA-256, for data lineage: a bundle records the hash of the file it was trained on.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace loanrisk {

/// Incremental SHA-256 (FIPS 180-4).
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  /// Lower-case hex digest; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buf_[64];
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

/// Hex SHA-256 of a byte string.
std::string sha256_hex(std::string_view bytes);
/// Hex SHA-256 of a file's contents; InputError when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);
/// Hex SHA-256 of a folder: every regular file's relative path and contents, in sorted path
/// order, so two copies of a bundle hash alike wherever they sit. InputError when unreadable.
std::string sha256_tree(const std::filesystem::path& dir);

}  // namespace loanrisk
