extension RumorNode {
  /// Why the keyring file (`NodeConfiguration.keyringFile`) could not be
  /// written after the last key change, or nil when it was (or there is
  /// none). The keyring itself changed either way, as in Serf.
  public var keyringFileError: KeyringFileError? { keyringFile?.error }
}
