using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace LoraPS.Tests.Tagging;

/// <summary>
/// A tiny stand-in for the Hugging Face hub on 127.0.0.1: /owner/name/resolve/rev/file answers HEAD
/// with X-Repo-Commit, ETag (SHA-256 as for LFS files) and size, and GET with Range support. It can
/// cut the connection part-way through a body to test resuming.
/// </summary>
public sealed class LocalHubServer : IDisposable
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _files = new();
    private readonly CancellationTokenSource _stop = new();
    public string Endpoint { get; }
    public List<string> Requests { get; } = new();
    /// <summary>When set, the next GET sends only this many bytes, then aborts the connection.</summary>
    public int? CutNextGetAfter { get; set; }
    /// <summary>Serve a body that differs from the announced hash (to test the SHA-256 check).</summary>
    public bool CorruptBodies { get; set; }

    public LocalHubServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _ = Task.Run(Loop);
    }

    /// <summary>Old repo path ("/owner/old") → new repo id, answered with a relative 307 as the hub does for renamed repos.</summary>
    public Dictionary<string, string> Renamed { get; } = new();

    public void Add(string repoId, string file, byte[] content) => _files[$"/{repoId}/resolve/main/{file}"] = content;

    public static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    private async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch { return; }
            _ = Task.Run(() => Serve(context));
        }
    }

    private void Serve(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        string path = Uri.UnescapeDataString(request.Url!.AbsolutePath);
        lock (Requests) Requests.Add($"{request.HttpMethod} {path} {request.Headers["Range"]}".TrimEnd());
        try
        {
            if (Renamed.TryGetValue(path.Split("/resolve/")[0], out string? newRepo))
            {
                response.StatusCode = 307;
                response.Headers["Location"] = "/" + newRepo + "/resolve/" + path.Split("/resolve/")[1];
                response.Close();
                return;
            }
            if (!_files.TryGetValue(path, out byte[]? content))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }
            response.Headers["X-Repo-Commit"] = Commit;
            response.Headers["ETag"] = "\"" + Sha256(content) + "\"";
            response.Headers["Accept-Ranges"] = "bytes";
            if (request.HttpMethod == "HEAD")
            {
                response.ContentLength64 = content.Length;
                response.Close();
                return;
            }
            byte[] body = CorruptBodies ? content.Select(b => (byte)(b ^ 0xFF)).ToArray() : content;
            long start = 0;
            string? range = request.Headers["Range"];
            if (range != null && range.StartsWith("bytes=") && range.EndsWith("-"))
            {
                start = long.Parse(range[6..^1]);
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{body.Length - 1}/{body.Length}";
            }
            response.ContentLength64 = body.Length - start;
            int? cut = CutNextGetAfter;
            CutNextGetAfter = null;
            if (cut is int n)
            {
                response.OutputStream.Write(body, (int)start, n);
                response.OutputStream.Flush();
                response.Abort();
                return;
            }
            response.OutputStream.Write(body, (int)start, (int)(body.Length - start));
            response.Close();
        }
        catch (Exception)
        {
            try { response.Abort(); } catch { }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch { }
    }
}
