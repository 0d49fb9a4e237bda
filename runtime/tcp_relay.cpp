// The relay runs one asio io_context on one thread. Each accepted
// connection becomes a session that connects to the target and copies bytes
// in both directions; a half-close travels on as a shutdown of the send
// side, so HTTP keep-alive and request/response framing pass unchanged.
#include "runtime/tcp_relay.hpp"

#include "protocol/errors.hpp"
#include "runtime/logging.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <thread>

namespace batch {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

/// One relayed connection.
class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket client, asio::io_context& ios)
      : client_(std::move(client)), server_(ios) {
    // nop
  }

  void start(const tcp::endpoint& target) {
    auto self = shared_from_this();
    server_.async_connect(target, [self](const boost::system::error_code& ec) {
      if (ec) {
        self->close();
        return;
      }
      self->pipe(self->client_, self->server_, self->upstream_);
      self->pipe(self->server_, self->client_, self->downstream_);
    });
  }

private:
  using buffer = std::array<char, 16 * 1024>;

  void pipe(tcp::socket& from, tcp::socket& to, buffer& buf) {
    auto self = shared_from_this();
    from.async_read_some(
      asio::buffer(buf),
      [self, &from, &to, &buf](const boost::system::error_code& ec, size_t n) {
        if (ec) {
          boost::system::error_code ignored;
          to.shutdown(tcp::socket::shutdown_send, ignored);
          return;
        }
        asio::async_write(to, asio::buffer(buf.data(), n),
                          [self, &from, &to,
                           &buf](const boost::system::error_code& ec, size_t) {
                            if (ec) {
                              self->close();
                              return;
                            }
                            self->pipe(from, to, buf);
                          });
      });
  }

  void close() {
    boost::system::error_code ignored;
    client_.close(ignored);
    server_.close(ignored);
  }

  tcp::socket client_;
  tcp::socket server_;
  buffer upstream_;
  buffer downstream_;
};

} // namespace

struct tcp_relay::impl {
  asio::io_context ios;
  tcp::acceptor acceptor{ios};
  tcp::endpoint target;
  std::thread thread;

  void accept() {
    acceptor.async_accept(
      [this](const boost::system::error_code& ec, tcp::socket client) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open())
          return;
        if (!ec)
          std::make_shared<session>(std::move(client), ios)->start(target);
        accept();
      });
  }
};

tcp_relay::tcp_relay() : impl_(std::make_unique<impl>()) {
  // nop
}

tcp_relay::~tcp_relay() {
  stop();
}

caf::expected<uint16_t> tcp_relay::bind(const std::string& host,
                                        uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec)
    return server_error("invalid relay address " + host);
  tcp::endpoint endpoint{address, port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor.close(ec);
    return server_error("cannot listen on " + host + ":" + std::to_string(port)
                        + ": " + ec.message());
  }
  return acceptor.local_endpoint().port();
}

void tcp_relay::start(const std::string& target_host, uint16_t target_port) {
  impl_->target
    = tcp::endpoint{asio::ip::make_address(target_host), target_port};
  impl_->accept();
  impl_->thread = std::thread{[this] {
    impl_->ios.run();
  }};
}

void tcp_relay::stop() {
  if (!impl_->thread.joinable())
    return;
  asio::post(impl_->ios, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->ios.stop();
  impl_->thread.join();
}

} // namespace batch
