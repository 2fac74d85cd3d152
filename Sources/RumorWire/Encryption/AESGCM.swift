import COpenSSL

/// AES-GCM from the system libcrypto (never hand-written): 12-byte nonce,
/// 16-byte tag, key length 16, 24 or 32 picking AES-128, -192 or -256.
enum AESGCM {
  static let nonceSize = 12
  static let tagSize = 16

  /// Encrypts `plaintext` and returns ciphertext followed by the tag, or
  /// nil if libcrypto refuses (which a validated key never causes).
  static func seal(
    key: [UInt8], nonce: [UInt8], plaintext: ArraySlice<UInt8>, additionalData: [UInt8]
  ) -> [UInt8]? {
    guard let cipher = cipher(forKeyLength: key.count), nonce.count == nonceSize,
      let context = EVP_CIPHER_CTX_new()
    else { return nil }
    defer { EVP_CIPHER_CTX_free(context) }
    var output = [UInt8](repeating: 0, count: plaintext.count + tagSize)
    let sealed = output.withUnsafeMutableBufferPointer { out -> Bool in
      guard let outBase = out.baseAddress,
        EVP_EncryptInit_ex(context, cipher, nil, nil, nil) == 1,
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceSize), nil) == 1,
        EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1,
        authenticate(additionalData, context: context, encrypting: true)
      else { return false }
      var written: Int32 = 0
      if !plaintext.isEmpty {
        let ok = plaintext.withUnsafeBufferPointer { input in
          EVP_EncryptUpdate(context, outBase, &written, input.baseAddress, Int32(input.count))
        }
        guard ok == 1, Int(written) == plaintext.count else { return false }
      }
      var finalWritten: Int32 = 0
      guard EVP_EncryptFinal_ex(context, outBase + Int(written), &finalWritten) == 1 else {
        return false
      }
      return EVP_CIPHER_CTX_ctrl(
        context, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), outBase + plaintext.count) == 1
    }
    return sealed ? output : nil
  }

  /// Decrypts ciphertext followed by its tag; nil if the tag does not verify.
  static func open(
    key: [UInt8], nonce: ArraySlice<UInt8>, sealed: ArraySlice<UInt8>, additionalData: [UInt8]
  ) -> [UInt8]? {
    guard sealed.count >= tagSize, nonce.count == nonceSize,
      let cipher = cipher(forKeyLength: key.count), let context = EVP_CIPHER_CTX_new()
    else { return nil }
    defer { EVP_CIPHER_CTX_free(context) }
    let ciphertext = sealed.dropLast(tagSize)
    var tag = Array(sealed.suffix(tagSize))
    let nonceBytes = Array(nonce)
    var output = [UInt8](repeating: 0, count: ciphertext.count + 16)
    let opened = output.withUnsafeMutableBufferPointer { out -> Bool in
      guard let outBase = out.baseAddress,
        EVP_DecryptInit_ex(context, cipher, nil, nil, nil) == 1,
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceSize), nil) == 1,
        EVP_DecryptInit_ex(context, nil, nil, key, nonceBytes) == 1,
        authenticate(additionalData, context: context, encrypting: false)
      else { return false }
      var written: Int32 = 0
      if !ciphertext.isEmpty {
        let ok = ciphertext.withUnsafeBufferPointer { input in
          EVP_DecryptUpdate(context, outBase, &written, input.baseAddress, Int32(input.count))
        }
        guard ok == 1, Int(written) == ciphertext.count else { return false }
      }
      guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), &tag) == 1 else {
        return false
      }
      var finalWritten: Int32 = 0
      return EVP_DecryptFinal_ex(context, outBase + Int(written), &finalWritten) == 1
    }
    guard opened else { return nil }
    output.removeLast(output.count - ciphertext.count)
    return output
  }

  private static func authenticate(
    _ additionalData: [UInt8], context: OpaquePointer, encrypting: Bool
  ) -> Bool {
    guard !additionalData.isEmpty else { return true }
    var ignored: Int32 = 0
    let count = Int32(additionalData.count)
    return encrypting
      ? EVP_EncryptUpdate(context, nil, &ignored, additionalData, count) == 1
      : EVP_DecryptUpdate(context, nil, &ignored, additionalData, count) == 1
  }

  private static func cipher(forKeyLength length: Int) -> OpaquePointer? {
    switch length {
    case 16: aes128
    case 24: aes192
    case 32: aes256
    default: nil
    }
  }

  // The EVP_aes_*_gcm() getters return libcrypto's static, read-only
  // cipher descriptions, never freed and safe to share between threads;
  // fetching them once saves a lookup on every packet.
  nonisolated(unsafe) private static let aes128 = EVP_aes_128_gcm()
  nonisolated(unsafe) private static let aes192 = EVP_aes_192_gcm()
  nonisolated(unsafe) private static let aes256 = EVP_aes_256_gcm()
}
