// gsc-images: pings the Docker daemon, prints its version, and lists the images gsc made
// (label gsc.tool=gsc) with their app image, Gramine image and, when signed, MRENCLAVE.

#include <gsc/docker.hpp>
#include <gsc/error.hpp>

#include <iostream>

int main() {
  try {
    auto client = gsc::docker::Client::from_environment();
    const auto version = client.version();
    std::cout << "Docker " << version.version << " at " << client.endpoint().to_string() << ", API "
              << client.api_version() << "\n";
    const auto images = client.list_images({.labels = {"gsc.tool=gsc"}});
    std::cout << images.size() << " image(s) made by gsc\n";
    for (const auto& image : images) {
      auto label = [&](const char* key) {
        const auto it = image.labels.find(key);
        return it == image.labels.end() ? std::string("-") : it->second;
      };
      std::cout << "  " << (image.repo_tags.empty() ? image.id.substr(0, 19) : image.repo_tags.front())
                << "  app=" << label("gsc.app.image") << "  gramine=" << label("gsc.gramine.image")
                << "  mr_enclave=" << label("gsc.mr_enclave") << "\n";
    }
    return 0;
  } catch (const gsc::Error& e) {
    std::cerr << "gsc-images: " << e.what() << "\n";
    return 1;
  }
}
