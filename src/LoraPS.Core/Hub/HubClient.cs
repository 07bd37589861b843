using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace LoraPS.Hub;

/// <summary>
/// Downloads single files from the Hugging Face hub (repo id, revision, file name → local path) into
/// the standard hub cache layout: blobs named by ETag, snapshots/&lt;commit&gt;/&lt;file&gt; pointing at
/// them, refs/&lt;revision&gt; holding the commit. Partial downloads resume with Range requests;
/// size and (for LFS files) SHA-256 are checked before a blob is published. Proxies come from the
/// environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) through HttpClient's default proxy.
/// </summary>
public sealed partial class HubClient : IDisposable
{
    private readonly HubOptions _options;
    private readonly HttpClient _head, _get;

    public HubClient(HubOptions? options = null)
    {
        _options = options ?? new HubOptions();
        // HEAD must not follow redirects: the hub puts the commit, ETag and size on the first (redirect) answer.
        _head = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = true }) { Timeout = _options.Timeout };
        _get = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, UseProxy = true, ConnectTimeout = _options.Timeout })
            { Timeout = Timeout.InfiniteTimeSpan };
        var agent = new ProductInfoHeaderValue("LoraPS", "0.1");
        _head.DefaultRequestHeaders.UserAgent.Add(agent);
        _get.DefaultRequestHeaders.UserAgent.Add(agent);
    }

    public HubOptions Options => _options;

    /// <summary>The cache folder of one repo: &lt;cache&gt;/models--owner--name.</summary>
    public string RepoFolder(string repoId) => Path.Combine(_options.CacheDir, "models--" + CheckRepoId(repoId).Replace("/", "--"));

    public string Download(string repoId, string fileName, string revision = "main", IProgress<HubDownloadProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        DownloadAsync(repoId, fileName, revision, progress, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Returns the local path of <paramref name="fileName"/> at <paramref name="revision"/>, downloading it if needed.</summary>
    public async Task<string> DownloadAsync(string repoId, string fileName, string revision = "main", IProgress<HubDownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        string repoFolder = RepoFolder(repoId);
        string[] parts = CheckFileName(fileName);
        if (string.IsNullOrWhiteSpace(revision) || revision.Contains("..") || revision.IndexOfAny(new[] { '\\', ':' }) >= 0)
            throw new ArgumentException($"revision '{revision}' is not valid", nameof(revision));

        string? cached = CachedPath(repoFolder, parts, revision);
        if (_options.Offline)
            return cached ?? throw new HubException(
                $"{repoId}/{fileName} ({revision}) is not in the hub cache {_options.CacheDir} and offline mode is on (HF_HUB_OFFLINE or -Offline); " +
                "run once online or copy the files into a folder and use -ModelPath");

        string url = $"{_options.Endpoint}/{string.Join('/', repoId.Split('/').Select(Uri.EscapeDataString))}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', parts.Select(Uri.EscapeDataString))}";
        Metadata meta;
        try
        {
            meta = await HeadAsync(url, repoId, fileName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Unreachable hub: a cached copy of this revision still serves, as huggingface_hub does.
            if (cached != null) return cached;
            throw new HubException($"cannot reach {_options.Endpoint} for {repoId}/{fileName}: {e.Message}", e);
        }

        string commit = meta.Commit ?? (IsCommitHash(revision) ? revision : throw new HubException($"{url} did not say which commit it serves (no X-Repo-Commit header)"));
        string snapshot = Path.Combine(new[] { repoFolder, "snapshots", commit }.Concat(parts).ToArray());
        string blobs = Path.Combine(repoFolder, "blobs");
        string blob = Path.Combine(blobs, meta.ETag);
        Directory.CreateDirectory(blobs);
        if (!(File.Exists(blob) && (meta.Size is null || new FileInfo(blob).Length == meta.Size)))
            await FetchAsync(url, blob, meta, repoId, fileName, progress, cancellationToken).ConfigureAwait(false);
        Publish(blob, snapshot, parts.Length);
        if (!string.Equals(revision, commit, StringComparison.Ordinal))
        {
            string refPath = Path.Combine(repoFolder, "refs", revision);
            Directory.CreateDirectory(Path.GetDirectoryName(refPath)!);
            if (!File.Exists(refPath) || File.ReadAllText(refPath).Trim() != commit) File.WriteAllText(refPath, commit);
        }
        return snapshot;
    }

    /// <summary>The snapshot path for this revision when the cache already holds it.</summary>
    private static string? CachedPath(string repoFolder, string[] parts, string revision)
    {
        string? commit = IsCommitHash(revision) ? revision : null;
        string refPath = Path.Combine(repoFolder, "refs", revision);
        if (commit is null && File.Exists(refPath)) commit = File.ReadAllText(refPath).Trim();
        if (commit is null || !IsCommitHash(commit)) return null;
        string path = Path.Combine(new[] { repoFolder, "snapshots", commit }.Concat(parts).ToArray());
        return File.Exists(path) ? path : null;
    }

    private sealed record Metadata(string? Commit, string ETag, long? Size);

    private async Task<Metadata> HeadAsync(string url, string repoId, string fileName, CancellationToken ct)
    {
        HttpResponseMessage response;
        for (int hops = 0; ; hops++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            if (!string.IsNullOrEmpty(_options.Token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
            response = await _head.SendAsync(request, ct).ConfigureAwait(false);
            // A relative redirect (a renamed repo) is followed, as huggingface_hub does; an absolute one is the
            // LFS/CDN hop, whose file facts are already in this answer's X-Linked-* headers.
            int code = (int)response.StatusCode;
            if (code is >= 300 and < 400 && response.Headers.Location is { IsAbsoluteUri: false } next && hops < 5)
            {
                url = new Uri(new Uri(url), next).ToString();
                response.Dispose();
                continue;
            }
            break;
        }
        using var _ = response;
        int status = (int)response.StatusCode;
        if (status is 401 or 403)
            throw new HubException($"{repoId}/{fileName}: the hub refused access ({status}); the repo may be gated or private — set HF_TOKEN");
        if (status == 404)
            throw new HubException($"{repoId}/{fileName} was not found on {_options.Endpoint} (404): check the repo id, revision and file name");
        if (status >= 400) throw new HubException($"{repoId}/{fileName}: the hub answered {status} {response.ReasonPhrase}");
        string? commit = Header(response, "X-Repo-Commit");
        string? etag = Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag ?? Header(response, "ETag");
        if (etag is null) throw new HubException($"{url} sent no ETag; LoraPS cannot name the cached file");
        etag = etag.Trim();
        if (etag.StartsWith("W/")) etag = etag[2..];
        etag = etag.Trim('"');
        if (etag.Length == 0 || etag.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || etag.Contains(".."))
            throw new HubException($"{url} sent an unusable ETag '{etag}'");
        long? size = long.TryParse(Header(response, "X-Linked-Size"), out long linked) ? linked
            : status < 300 ? response.Content.Headers.ContentLength : null;
        return new Metadata(commit, etag, size);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out var cv) ? cv.FirstOrDefault() : null;

    /// <summary>Downloads into &lt;blob&gt;.incomplete, resuming what is there, then checks and renames it.</summary>
    private async Task FetchAsync(string url, string blob, Metadata meta, string repoId, string fileName,
        IProgress<HubDownloadProgress>? progress, CancellationToken ct)
    {
        string partial = blob + ".incomplete";
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await TransferAsync(url, partial, meta, repoId, fileName, progress, ct).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (attempt < _options.MaxRetries && !ct.IsCancellationRequested
                                      && e is IOException or HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                throw new HubException($"downloading {repoId}/{fileName} broke off ({e.Message}); run again to resume from {new FileInfo(partial).Length} bytes", e);
            }
        }
        long length = new FileInfo(partial).Length;
        if (meta.Size is long expected && length != expected)
        {
            File.Delete(partial);
            throw new HubException($"{repoId}/{fileName}: downloaded {length} bytes but the hub announced {expected}; the partial file was removed, run again");
        }
        if (IsSha256(meta.ETag))
        {
            string actual;
            await using (var stream = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
                actual = Convert.ToHexString(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false)).ToLowerInvariant();
            if (actual != meta.ETag.ToLowerInvariant())
            {
                File.Delete(partial);
                throw new HubException($"{repoId}/{fileName}: SHA-256 {actual} does not match the hub's {meta.ETag}; the download was removed, run again");
            }
        }
        File.Move(partial, blob, overwrite: true);
    }

    private async Task TransferAsync(string url, string partial, Metadata meta, string repoId, string fileName,
        IProgress<HubDownloadProgress>? progress, CancellationToken ct)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (meta.Size is long size && have == size) return;
        if (meta.Size is long s2 && have > s2) have = 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrEmpty(_options.Token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var response = await _get.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) { have = 0; File.Delete(partial); throw new IOException("the server refused the resume range; restarting"); }
        if (!response.IsSuccessStatusCode) throw new HubException($"{repoId}/{fileName}: download answered {(int)response.StatusCode} {response.ReasonPhrase}");
        bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
        if (!resumed) have = 0; // the server ignored Range: start over
        long? total = meta.Size ?? (response.Content.Headers.ContentLength is long cl ? cl + have : null);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var file = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var buffer = new byte[1 << 16];
        long received = have, reported = -1;
        int n;
        while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            received += n;
            if (received - reported >= 1 << 20 || received == total)
            {
                progress?.Report(new HubDownloadProgress(repoId, fileName, received, total));
                reported = received;
            }
        }
        if (total is long t && received < t) throw new IOException($"the connection closed after {received} of {t} bytes");
    }

    /// <summary>snapshots/&lt;commit&gt;/&lt;file&gt; → a relative symbolic link to the blob (a copy where links are not allowed).</summary>
    private static void Publish(string blob, string snapshot, int depth)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(snapshot)!);
        if (File.Exists(snapshot) || new FileInfo(snapshot).LinkTarget != null)
        {
            if (File.Exists(snapshot) && new FileInfo(snapshot).Length == new FileInfo(blob).Length) return;
            File.Delete(snapshot);
        }
        string relative = string.Join('/', Enumerable.Repeat("..", depth + 1)) + "/blobs/" + Path.GetFileName(blob);
        try { File.CreateSymbolicLink(snapshot, relative); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, snapshot, overwrite: true);
        }
    }

    private static string CheckRepoId(string repoId)
    {
        if (repoId is null || !RepoIdPattern().IsMatch(repoId) || repoId.Contains(".."))
            throw new ArgumentException($"'{repoId}' is not a hub repo id (owner/name)", nameof(repoId));
        return repoId;
    }

    private static string[] CheckFileName(string fileName)
    {
        string[] parts = (fileName ?? "").Replace('\\', '/').Split('/');
        if (parts.Length == 0 || parts.Any(p => p.Length == 0 || p == "." || p == ".." || p.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0))
            throw new ArgumentException($"'{fileName}' is not a file name inside a repo", nameof(fileName));
        return parts;
    }

    private static bool IsCommitHash(string s) => s.Length == 40 && s.All(Uri.IsHexDigit);
    private static bool IsSha256(string s) => s.Length == 64 && s.All(Uri.IsHexDigit);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex RepoIdPattern();

    public void Dispose()
    {
        _head.Dispose();
        _get.Dispose();
    }
}
