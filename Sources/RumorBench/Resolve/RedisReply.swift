/// One RESP reply, as far as this benchmark needs them: SET answers with
/// a status, GET with a bulk string, errors with an error line.
enum RedisReply: Equatable {
  /// `+OK`, `+PONG`.
  case status(String)
  /// `-ERR ...`.
  case error(String)
  /// `:42`.
  case integer(Int64)
  /// `$5 hello`; nil for the null bulk string (`$-1`, a missing key).
  case bulk(String?)
}
