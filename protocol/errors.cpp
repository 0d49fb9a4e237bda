#include "protocol/errors.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace batch {

const char* error_type(batch_errc code) {
  switch (code) {
  case batch_errc::client:
    return "ClientException";
  case batch_errc::server:
    return "ServerException";
  case batch_errc::resource_not_found:
    return "ResourceNotFoundException";
  case batch_errc::invalid_parameter:
    return "InvalidParameterException";
  case batch_errc::invalid_operation:
    return "InvalidOperationException";
  }
  return "ServerException";
}

int http_status(batch_errc code) {
  return code == batch_errc::server ? 500 : 400;
}

caf::error make_batch_error(batch_errc code, std::string message) {
  return caf::make_error(code, std::move(message));
}

caf::error client_error(std::string message) {
  return make_batch_error(batch_errc::client, std::move(message));
}

caf::error server_error(std::string message) {
  return make_batch_error(batch_errc::server, std::move(message));
}

wire_error to_wire_error(const caf::error& err) {
  if (err.category() != caf::atom("batch"))
    return {batch_errc::server, "internal error: " + caf::to_string(err)};
  auto code = static_cast<batch_errc>(err.code());
  auto& context = err.context();
  if (context.size() == 1 && context.match_element<std::string>(0))
    return {code, context.get_as<std::string>(0)};
  return {code, error_type(code)};
}

std::string to_string(batch_errc code) {
  return error_type(code);
}

} // namespace batch
