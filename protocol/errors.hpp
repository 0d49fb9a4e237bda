// The error vocabulary of batchd. Every failure a client can see travels as a
// caf::error of category "batch" whose context holds one string, the message.
// The gateway maps the code to the AWS error type and HTTP status in one place
// (see error_type and http_status below).
#pragma once

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <cstdint>
#include <string>

namespace batch {

/// The kinds of error that reach a client.
enum class batch_errc : uint8_t {
  /// A caller error: bad input, unknown resource, invalid state (HTTP 400).
  client = 1,
  /// A fault inside batchd (HTTP 500; SDKs retry these).
  server,
  /// CloudWatch Logs: the group or stream does not exist (HTTP 400).
  resource_not_found,
  /// CloudWatch Logs: a parameter is malformed (HTTP 400).
  invalid_parameter,
  /// CloudWatch Logs: the operation is not available (HTTP 400).
  invalid_operation,
};

/// Returns the wire name of `code`, e.g. "ClientException".
const char* error_type(batch_errc code);

/// Returns the HTTP status that carries `code`.
int http_status(batch_errc code);

/// Returns a ClientException carrying `message`.
caf::error client_error(std::string message);

/// Returns a ServerException carrying `message`.
caf::error server_error(std::string message);

/// Returns an error of `code` carrying `message`.
caf::error make_batch_error(batch_errc code, std::string message);

/// A decoded error: the wire type, HTTP status and message of any caf::error.
struct wire_error {
  batch_errc code;
  std::string message;
};

/// Translates any error into its wire form. Errors from other categories
/// (timeouts, dead actors) become ServerException.
wire_error to_wire_error(const caf::error& err);

/// Returns the readable name of `code`.
std::string to_string(batch_errc code);

} // namespace batch

CAF_ERROR_CODE_ENUM(batch::batch_errc, "batch")
