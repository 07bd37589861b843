using LoraPS.Hub;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Tagging;

public class HubClientTests
{
    private static byte[] Content(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public void DownloadsIntoTheStandardCacheLayoutAndReusesIt()
    {
        using var server = new LocalHubServer();
        using var cache = new TempFolder("hub cache ü");
        byte[] model = Content(300_000, 1);
        server.Add("owner/tiny-tagger", "model.onnx", model);
        server.Add("owner/tiny-tagger", "sub dir/tags ✓.csv", "a,b\n"u8.ToArray());
        var reports = new List<HubDownloadProgress>();
        using var client = new HubClient(new HubOptions { Endpoint = server.Endpoint, CacheDir = cache.Path, Offline = false, Token = null });
        string path = client.Download("owner/tiny-tagger", "model.onnx", progress: new SyncProgress<HubDownloadProgress>(reports.Add));

        string repo = Path.Combine(cache.Path, "models--owner--tiny-tagger");
        Assert.Equal(Path.Combine(repo, "snapshots", LocalHubServer.Commit, "model.onnx"), path);
        Assert.Equal(model, File.ReadAllBytes(path));
        Assert.True(File.Exists(Path.Combine(repo, "blobs", LocalHubServer.Sha256(model))));
        Assert.Equal(LocalHubServer.Commit, File.ReadAllText(Path.Combine(repo, "refs", "main")));
        Assert.Equal(model.Length, reports[^1].Received);
        Assert.Equal(model.Length, reports[^1].Total);

        string nested = client.Download("owner/tiny-tagger", "sub dir/tags ✓.csv");
        Assert.Equal("a,b\n", File.ReadAllText(nested));

        // A second call finds the blob: a HEAD only, no GET.
        int gets = server.Requests.Count(r => r.StartsWith("GET"));
        Assert.Equal(path, client.Download("owner/tiny-tagger", "model.onnx"));
        Assert.Equal(gets, server.Requests.Count(r => r.StartsWith("GET")));

        // Offline mode serves the cache without asking the server.
        int before = server.Requests.Count;
        using var offline = new HubClient(new HubOptions { Endpoint = server.Endpoint, CacheDir = cache.Path, Offline = true });
        Assert.Equal(path, offline.Download("owner/tiny-tagger", "model.onnx"));
        Assert.Equal(before, server.Requests.Count);
        var e = Assert.Throws<HubException>(() => offline.Download("owner/tiny-tagger", "absent.onnx"));
        Assert.Contains("offline", e.Message);
    }

    [Fact]
    public void AnInterruptedDownloadResumesWithARangeRequest()
    {
        using var server = new LocalHubServer();
        using var cache = new TempFolder();
        byte[] model = Content(1_000_000, 2);
        server.Add("owner/m", "model.onnx", model);
        server.CutNextGetAfter = 400_000;
        using var noRetry = new HubClient(new HubOptions { Endpoint = server.Endpoint, CacheDir = cache.Path, MaxRetries = 0, Offline = false });
        var e = Assert.Throws<HubException>(() => noRetry.Download("owner/m", "model.onnx"));
        Assert.Contains("resume", e.Message);
        string partial = Path.Combine(cache.Path, "models--owner--m", "blobs", LocalHubServer.Sha256(model) + ".incomplete");
        long kept = new FileInfo(partial).Length;
        Assert.InRange(kept, 1, model.Length - 1);

        string path = noRetry.Download("owner/m", "model.onnx");
        Assert.Contains(server.Requests, r => r == $"GET /owner/m/resolve/main/model.onnx bytes={kept}-");
        Assert.Equal(model, File.ReadAllBytes(path));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void ABrokenTransferIsRetriedWithinOneCall()
    {
        using var server = new LocalHubServer();
        using var cache = new TempFolder();
        byte[] model = Content(500_000, 3);
        server.Add("owner/m", "model.onnx", model);
        server.CutNextGetAfter = 100_000;
        using var client = new HubClient(new HubOptions { Endpoint = server.Endpoint, CacheDir = cache.Path, Offline = false });
        Assert.Equal(model, File.ReadAllBytes(client.Download("owner/m", "model.onnx")));
        Assert.Contains(server.Requests, r => r.StartsWith("GET") && r.Contains("bytes="));
    }

    [Fact]
    public void HashMismatchNotFoundAndBadNamesAreClearErrors()
    {
        using var server = new LocalHubServer();
        using var cache = new TempFolder();
        server.Add("owner/m", "model.onnx", Content(10_000, 4));
        server.CorruptBodies = true;
        using var client = new HubClient(new HubOptions { Endpoint = server.Endpoint, CacheDir = cache.Path, MaxRetries = 0, Offline = false });
        Assert.Contains("SHA-256", Assert.Throws<HubException>(() => client.Download("owner/m", "model.onnx")).Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "models--owner--m", "blobs")));
        Assert.Contains("404", Assert.Throws<HubException>(() => client.Download("owner/other", "model.onnx")).Message);
        Assert.Throws<ArgumentException>(() => client.Download("../evil", "model.onnx"));
        Assert.Throws<ArgumentException>(() => client.Download("owner/m", "../../etc/passwd"));
    }

    [Fact]
    public void ARenamedRepoIsFollowed()
    {
        using var server = new LocalHubServer();
        using var cache = new TempFolder();
        byte[] data = Content(5_000, 5);
        server.Add("owner/new-name", "model.onnx", data);
        server.Renamed["/owner/old-name"] = "owner/new-name";
        using var client = new HubClient(new HubOptions { Endpoint = server.Endpoint, CacheDir = cache.Path, Offline = false });
        Assert.Equal(data, File.ReadAllBytes(client.Download("owner/old-name", "model.onnx")));
        Assert.Contains(server.Requests, r => r.StartsWith("HEAD /owner/new-name/"));
    }

    [Fact]
    public void AnUnreachableHubWithoutACacheSaysSo()
    {
        using var cache = new TempFolder();
        using var client = new HubClient(new HubOptions { Endpoint = "http://127.0.0.1:1", CacheDir = cache.Path, Offline = false, Timeout = TimeSpan.FromSeconds(5) });
        Assert.Contains("cannot reach", Assert.Throws<HubException>(() => client.Download("owner/m", "model.onnx")).Message);
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
