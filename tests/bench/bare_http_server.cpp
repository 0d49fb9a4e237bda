// The baseline of the gateway benchmark (scripts/bench/gateway.sh): a bare
// cpp-httplib server that answers every GET and POST with `{}`, with the same
// transport settings as batchd's gateway (TCP_NODELAY, unbounded keep-alive,
// the same worker count), so that the ratio between the two measures what
// batchd adds per request: routing, decoding, the actor round trip, encoding.
//
// Usage: bare_http_server PORT [THREADS]; stops on SIGINT or SIGTERM.
#include <httplib.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace {

void answer(const httplib::Request&, httplib::Response& res) {
  res.set_content("{}", "application/json");
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bare_http_server PORT [THREADS]\n";
    return 2;
  }
  auto port = std::atoi(argv[1]);
  size_t threads = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 16;

  // Every thread inherits the blocked stop signals; main waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100'000);
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  server.Get(".*", answer);
  server.Post(".*", answer);
  if (!server.bind_to_port("127.0.0.1", port)) {
    std::cerr << "bare_http_server: cannot bind to port " << port << "\n";
    return 1;
  }
  std::thread listener{[&server] {
    server.listen_after_bind();
  }};

  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  listener.join();
  return 0;
}
