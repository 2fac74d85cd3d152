import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Chromium (Debian `chromium`), when installed.
let chromiumExecutable: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
  .first { FileManager.default.isExecutableFile(atPath: $0) }

/// Drives headless Chromium over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: fds 3 and 4, NUL-terminated JSON): opens
/// the page once and prints its body every half second while it changes,
/// one `DOM …` line each, until its time is up or SIGTERM. The page is
/// never reloaded, so what changes in it came from its own script.
/// (`--dump-dom` cannot watch a live page: it dumps at the load event,
/// and `--virtual-time-budget` never ends while an event stream is open.)
/// Arguments: URL, seconds, the chromium binary.
private let devToolsDriver = #"""
  import ctypes, json, os, select, signal, subprocess, sys, tempfile, time
  url, seconds, chromium = sys.argv[1], float(sys.argv[2]), sys.argv[3]
  to_r, to_w = os.pipe()
  from_r, from_w = os.pipe()
  profile = tempfile.mkdtemp(prefix="rumor-page-")
  def child():
      ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: dies with us
      a, b = os.dup(to_r), os.dup(from_w)
      os.dup2(a, 3)
      os.dup2(b, 4)
  browser = subprocess.Popen(
      [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
       "--remote-debugging-pipe", "--user-data-dir=" + profile, url],
      pass_fds=(3, 4), preexec_fn=child, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  def stop(*_):
      browser.kill()
      browser.wait(5)
      sys.exit(0)
  signal.signal(signal.SIGTERM, stop)
  pending, number = b"", 0
  def call(method, params=None, session=None, within=10):
      global pending, number
      number += 1
      message = {"id": number, "method": method, "params": params or {}}
      if session:
          message["sessionId"] = session
      os.write(to_w, json.dumps(message).encode() + b"\0")
      deadline = time.time() + within
      while time.time() < deadline:
          while b"\0" in pending:
              raw, pending = pending.split(b"\0", 1)
              answer = json.loads(raw)
              if answer.get("id") == number:
                  return answer
          ready, _, _ = select.select([from_r], [], [], 0.5)
          if ready:
              chunk = os.read(from_r, 65536)
              if not chunk:
                  print("the browser closed its pipe", flush=True)
                  stop()
              pending += chunk
      print("no answer to " + method, flush=True)
      stop()
  deadline = time.time() + seconds
  target = None
  while target is None and time.time() < deadline:
      pages = [t for t in call("Target.getTargets")["result"]["targetInfos"] if t["type"] == "page"]
      target = pages[0]["targetId"] if pages else None
      if target is None:
          time.sleep(0.2)
  session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["result"]["sessionId"]
  last = None
  while time.time() < deadline:
      answer = call("Runtime.evaluate",
                    {"expression": "document.body ? document.body.outerHTML : ''", "returnByValue": True},
                    session)
      value = answer.get("result", {}).get("result", {}).get("value", "")
      if value != last:
          print("DOM " + value.replace("\n", " "), flush=True)
          last = value
      time.sleep(0.5)
  stop()
  """#

// Heavy on two cores (eight agents, or a browser): run one at a time
// with the other process-heavy suites, so that their timing bounds hold.
extension TransportAttackTests {
  @Suite("The live cluster page in headless Chromium")
  struct ClusterPageBrowserTests {
    @Test(
      "the page shows members, services and events, and an agent killed with kill -9 as failed, without a reload"
    )
    func killedAgentShowsFailed() async throws {
      guard let chromiumExecutable else {
        print("skipped: chromium is not installed (apt-get install chromium)")
        return
      }
      guard let python3Executable else {
        print("skipped: python3 is not installed (it drives chromium over DevTools)")
        return
      }
      let web = try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { _ in
        HTTPResponse(body: "ok\n")
      }
      defer { web.stop() }
      let first = try AgentProcess(
        name: "page-1",
        arguments: [
          "--http", "127.0.0.1:0", "--service", "web=http://127.0.0.1:\(web.address.port)",
        ])
      defer { first.stop(signal: SIGKILL) }
      let join = first.address?.description ?? ""
      let second = try AgentProcess(
        name: "page-2",
        arguments: [
          "--join", join, "--tag", "zone=<b>b</b>", "--service",
          "web=http://127.0.0.1:\(web.address.port)",
        ])
      defer { second.stop(signal: SIGKILL) }
      let third = try AgentProcess(name: "page-3", arguments: ["--join", join])
      defer { third.stop(signal: SIGKILL) }
      // A plain Serf agent is a member too, with no svc tags.
      let serf = try serfExecutable.map { _ in
        try SerfAgent(name: "page-serf", join: first.address.map { [$0] } ?? [])
      }
      defer { serf?.child.stop(signal: SIGKILL) }

      // The page itself, as served.
      if curlExecutable != nil {
        let page = try await curl([try apiURL(first, "/")])
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["content-security-policy"]?.contains("script-src 'sha256-") == true)
      }

      let script = FileManager.default.temporaryDirectory.appendingPathComponent(
        "rumor-page-driver-\(getpid()).py")
      try Data(devToolsDriver.utf8).write(to: script)
      defer { try? FileManager.default.removeItem(at: script) }
      let driver = try ChildProcess(
        URL(fileURLWithPath: python3Executable),
        [script.path, try apiURL(first, "/"), "120", chromiumExecutable])
      defer { driver.stop(signal: SIGTERM) }
      var samples = 0
      @Sendable func dom() -> String {
        driver.log.split(separator: "\n").last { $0.hasPrefix("DOM ") }.map(String.init) ?? ""
      }

      let everyone = ["page-1", "page-2", "page-3"] + (serf != nil ? ["page-serf"] : [])
      let shown = await eventually(within: 40) {
        let page = dom()
        return everyone.allSatisfy { page.contains(#"data-member="\#($0)" data-status="alive""#) }
          && page.contains(#"data-service="web""#) && page.contains(#"data-picked="true""#)
          && page.contains(#"data-state="live""#)
      }
      #expect(shown, "the page never showed the cluster: \(dom()) \(driver.log.suffix(500))")
      guard shown else { return }
      // Tags are text, never markup.
      #expect(dom().contains("zone=&lt;b&gt;b&lt;/b&gt;"))
      samples = driver.log.components(separatedBy: "\nDOM ").count

      kill(third.child.process.processIdentifier, SIGKILL)
      _ = await third.child.exit(within: 10)
      let failed = await eventually(within: 60) {
        let page = dom()
        return page.contains(#"data-member="page-3" data-status="failed""#)
          && page.contains(#"data-event="failed" data-event-member="page-3""#)
      }
      #expect(failed, "the page never showed page-3 failed: \(dom())")
      // The same page changed under its own script: more samples, one load.
      #expect(driver.log.components(separatedBy: "\nDOM ").count > samples)
      #expect(dom().contains(#"data-member="page-1" data-status="alive""#))
    }
  }
}
