import COpenSSL

/// SHA-256 from the system libcrypto (`EVP_Digest` with `EVP_sha256`):
/// what the agent's page needs for its Content-Security-Policy hashes.
/// Never hand-written.
public enum SHA256Digest {
  /// The 32-byte digest of `bytes`.
  public static func digest(_ bytes: [UInt8]) -> [UInt8] {
    var output = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    let ok = bytes.withUnsafeBytes { input in
      output.withUnsafeMutableBufferPointer { out in
        EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, EVP_sha256(), nil)
      }
    }
    // EVP_Digest fails only when libcrypto cannot allocate its context;
    // a hash of zeros then makes the page's CSP refuse the script, which
    // is visible, rather than crash the agent.
    guard ok == 1, length == 32 else { return [UInt8](repeating: 0, count: 32) }
    return output
  }

  /// The digest of `text`'s UTF-8 in base64, as CSP's `'sha256-…'` wants.
  public static func base64Digest(_ text: String) -> String {
    Base64.encode(digest(Array(text.utf8)))
  }
}
