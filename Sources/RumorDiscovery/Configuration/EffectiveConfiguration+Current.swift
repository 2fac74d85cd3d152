extension EffectiveConfiguration {
  /// This process's configuration, read exactly as `rumor agent` reads
  /// it: `file` (or the file named by `RUMOR_CONFIG` when nil; none when
  /// neither is set), the `RUMOR_*`, `AUTOBOT_*` and `<NAME>_HOST` /
  /// `<NAME>_PORT` variables over it, the deployment mode detected and the
  /// mode's conventions filled in. Throws every error, with its file
  /// position or variable.
  public static func current(file: String? = nil) throws(ConfigurationErrors)
    -> EffectiveConfiguration
  {
    try ConfigurationLoader.effective(file: file, host: .current())
  }
}
