// Archive endpoints: a path of a container as a tar (get, put), the whole filesystem (export).
// Bodies stream: the returned ByteSource owns the connection.

#include "docker/client_impl.hpp"

namespace gsc::docker {

std::unique_ptr<ByteSource> Client::get_archive(const std::string& id, const std::string& path) {
  return impl_->call(http::Method::get,
                     "/containers/" + http::path_encode(id) + "/archive" + http::query({{"path", path}}),
                     "read `" + path + "` from container " + id);
}

void Client::put_archive(const std::string& id, const std::string& path, const std::string& archive) {
  impl_->call(http::Method::put, "/containers/" + http::path_encode(id) + "/archive" + http::query({{"path", path}}),
              "write into `" + path + "` of container " + id, archive, "application/x-tar")
      ->read_all();
}

std::unique_ptr<ByteSource> Client::export_container(const std::string& id) {
  return impl_->call(http::Method::get, "/containers/" + http::path_encode(id) + "/export",
                     "export container " + id);
}

}  // namespace gsc::docker
