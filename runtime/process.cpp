// Boost.Process (v1) behind plain calls. Each call owns a private
// io_context that reads the child's pipes asynchronously, so stdout and
// stderr drain together and a chatty child never blocks on a full pipe.
#include "runtime/process.hpp"

#include "protocol/errors.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/process.hpp>

#include <csignal>
#include <memory>
#include <unistd.h>

namespace batch {

namespace bp = boost::process;
namespace asio = boost::asio;

namespace {

/// Registers a child with a tracker for the lifetime of the guard.
class tracked {
public:
  tracked(process_tracker* tracker, int pid) : tracker_(tracker), pid_(pid) {
    if (tracker_)
      tracker_->add(pid_);
  }

  ~tracked() {
    if (tracker_)
      tracker_->remove(pid_);
  }

  tracked(const tracked&) = delete;
  tracked& operator=(const tracked&) = delete;

private:
  process_tracker* tracker_;
  int pid_;
};

/// Returns the unread content of `buf`.
std::string drain(asio::streambuf& buf) {
  std::string result{asio::buffers_begin(buf.data()),
                     asio::buffers_end(buf.data())};
  buf.consume(buf.size());
  return result;
}

/// Reads `pipe` line by line until EOF and calls `on_line` for each line;
/// a last line without a newline counts too.
class line_reader : public std::enable_shared_from_this<line_reader> {
public:
  line_reader(bp::async_pipe& pipe, std::function<void(std::string)> on_line)
      : pipe_(pipe), on_line_(std::move(on_line)) {
    // nop
  }

  void start() {
    auto self = shared_from_this();
    asio::async_read_until(pipe_, buf_, '\n',
                           [self](const boost::system::error_code& ec,
                                  size_t n) { self->on_read(ec, n); });
  }

private:
  void on_read(const boost::system::error_code& ec, size_t n) {
    if (ec) {
      auto rest = drain(buf_);
      if (!rest.empty())
        emit(std::move(rest));
      return;
    }
    std::string line{asio::buffers_begin(buf_.data()),
                     asio::buffers_begin(buf_.data()) + n - 1};
    buf_.consume(n);
    emit(std::move(line));
    start();
  }

  void emit(std::string line) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    on_line_(std::move(line));
  }

  bp::async_pipe& pipe_;
  asio::streambuf buf_;
  std::function<void(std::string)> on_line_;
};

/// Keeps the last lines of a stream for error messages.
void keep_tail(std::string& tail, const std::string& line) {
  constexpr size_t max_tail = 4096;
  tail += line;
  tail += '\n';
  if (tail.size() > max_tail)
    tail.erase(0, tail.size() - max_tail);
}

caf::error start_failure(const std::string& program, const std::exception& e) {
  return server_error("cannot run " + program + ": " + e.what());
}

} // namespace

caf::expected<std::string> resolve_program(const std::string& program) {
  if (program.empty())
    return server_error("no program given");
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) != 0)
      return server_error(program + " does not exist or is not executable");
    return program;
  }
  try {
    auto found = bp::search_path(program);
    if (found.empty())
      return server_error(program + " was not found on PATH");
    return found.string();
  } catch (const std::exception& e) {
    return start_failure(program, e);
  }
}

void process_tracker::add(int pid) {
  std::lock_guard<std::mutex> guard{mutex_};
  pids_.insert(pid);
}

void process_tracker::remove(int pid) {
  std::lock_guard<std::mutex> guard{mutex_};
  pids_.erase(pid);
}

void process_tracker::kill_all() {
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto pid : pids_)
    ::kill(pid, SIGKILL);
}

caf::expected<process_output> run_process(const std::string& program,
                                          const std::vector<std::string>& args,
                                          std::chrono::milliseconds timeout,
                                          process_tracker* tracker) {
  try {
    asio::io_context ios;
    bp::async_pipe out_pipe{ios};
    bp::async_pipe err_pipe{ios};
    asio::streambuf out_buf;
    asio::streambuf err_buf;
    bp::child child{bp::exe = program, bp::args = args, bp::std_in.close(),
                    bp::std_out > out_pipe, bp::std_err > err_pipe};
    tracked guard{tracker, child.id()};
    auto ignore = [](const boost::system::error_code&, size_t) {
    };
    asio::async_read(out_pipe, out_buf, ignore);
    asio::async_read(err_pipe, err_buf, ignore);
    ios.run_for(timeout);
    if (!ios.stopped()) {
      std::error_code ec;
      child.terminate(ec);
      return server_error(program + " did not finish within "
                          + std::to_string(timeout.count() / 1000)
                          + " seconds");
    }
    child.wait();
    return process_output{child.exit_code(), drain(out_buf), drain(err_buf)};
  } catch (const std::exception& e) {
    return start_failure(program, e);
  }
}

caf::expected<process_output>
stream_process(const std::string& program, const std::vector<std::string>& args,
               const line_handler& on_line, process_tracker* tracker) {
  try {
    asio::io_context ios;
    bp::async_pipe out_pipe{ios};
    bp::async_pipe err_pipe{ios};
    bp::child child{bp::exe = program, bp::args = args, bp::std_in.close(),
                    bp::std_out > out_pipe, bp::std_err > err_pipe};
    tracked guard{tracker, child.id()};
    std::string err_tail;
    std::make_shared<line_reader>(out_pipe, [&](std::string line) {
      on_line(false, std::move(line));
    })->start();
    std::make_shared<line_reader>(err_pipe, [&](std::string line) {
      keep_tail(err_tail, line);
      on_line(true, std::move(line));
    })->start();
    ios.run();
    child.wait();
    return process_output{child.exit_code(), {}, std::move(err_tail)};
  } catch (const std::exception& e) {
    return start_failure(program, e);
  }
}

} // namespace batch
