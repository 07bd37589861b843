using LoraPS.Models.Text;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Text;

public sealed class ClipTokenizerFilesTests
{
    [Fact]
    public void Finds_a_pair_in_a_folder_or_its_tokenizer_subfolder()
    {
        using var dir = new TempFolder("model folder 東京");
        Directory.CreateDirectory(Path.Combine(dir.Path, "tokenizer"));
        ClipVocabularyTests.WriteTinyPair(Path.Combine(dir.Path, "tokenizer"));
        var files = ClipTokenizerFiles.FromFolder(dir.Path);
        Assert.Equal(Path.Combine(dir.Path, "tokenizer", "vocab.json"), files.VocabJsonPath);
        var tokenizer = ClipTokenizer.Load(files, padId: 7);
        Assert.Equal(new[] { 6, 4, 2, 7 }, tokenizer.Window("abc").Take(4));
    }

    [Fact]
    public void Prefers_the_pair_and_falls_back_to_the_OpenAI_file()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File(ClipTokenizerFiles.OpenAiBpeFileName), new byte[] { 1 });
        Assert.Equal(dir.File(ClipTokenizerFiles.OpenAiBpeFileName), ClipTokenizerFiles.FromFolder(dir.Path).OpenAiBpePath);
        ClipVocabularyTests.WriteTinyPair(dir.Path);
        Assert.Null(ClipTokenizerFiles.FromFolder(dir.Path).OpenAiBpePath);
    }

    [Fact]
    public void A_folder_without_tokenizer_files_says_what_it_expected()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => ClipTokenizerFiles.FromFolder(dir.Path));
        Assert.Contains("vocab.json + merges.txt", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => ClipTokenizerFiles.FromFolder(dir.File("missing")));
    }

    [Fact]
    public void Finds_the_snapshot_that_refs_main_names_in_the_hub_cache()
    {
        using var cache = new TempFolder("hub cache é");
        string repo = Path.Combine(cache.Path, "models--openai--clip-vit-large-patch14");
        string old = Path.Combine(repo, "snapshots", "1111111111111111111111111111111111111111");
        string current = Path.Combine(repo, "snapshots", "2222222222222222222222222222222222222222");
        Directory.CreateDirectory(old);
        Directory.CreateDirectory(Path.Combine(current, "tokenizer"));
        ClipVocabularyTests.WriteTinyPair(old);
        ClipVocabularyTests.WriteTinyPair(Path.Combine(current, "tokenizer"));
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(1)); // newer, but not the one refs/main names
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), "2222222222222222222222222222222222222222");

        var files = ClipTokenizerFiles.TryFindInHubCache(ClipTokenizerFiles.Sd1Repository, cache.Path);
        Assert.NotNull(files);
        Assert.StartsWith(current, files!.VocabJsonPath);

        File.Delete(Path.Combine(repo, "refs", "main"));
        Assert.StartsWith(old, ClipTokenizerFiles.TryFindInHubCache(ClipTokenizerFiles.Sd1Repository, cache.Path)!.VocabJsonPath);
        Assert.Null(ClipTokenizerFiles.TryFindInHubCache(ClipTokenizerFiles.Sd2Repository, cache.Path));
    }

    [Fact]
    public void Hub_cache_location_follows_the_environment()
    {
        Assert.Equal("/x/hub-cache", ClipTokenizerFiles.DefaultHubCache(n => n == "HF_HUB_CACHE" ? "/x/hub-cache" : null));
        Assert.Equal(Path.Combine("/y", "hub"), ClipTokenizerFiles.DefaultHubCache(n => n == "HF_HOME" ? "/y" : null));
        Assert.EndsWith(Path.Combine(".cache", "huggingface", "hub"), ClipTokenizerFiles.DefaultHubCache(_ => null));
    }

    [Theory]
    [InlineData("openai/clip-vit-large-patch14", "models--openai--clip-vit-large-patch14")]
    public void Hub_folder_names(string repository, string folder) => Assert.Equal(folder, ClipTokenizerFiles.HubFolderName(repository));

    [Theory]
    [InlineData("noslash")]
    [InlineData("a/b/c")]
    [InlineData("../x")]
    [InlineData("a/")]
    public void Bad_repository_names_are_refused(string repository) =>
        Assert.Throws<ArgumentException>(() => ClipTokenizerFiles.HubFolderName(repository));
}

public sealed class ClipTokenizerDownloadTests
{
    [Fact]
    public async Task Downloads_vocab_and_merges_into_the_hub_cache_where_the_cache_lookup_then_finds_them()
    {
        using var server = new LoraPS.Tests.Tagging.LocalHubServer();
        using var cache = new TempFolder("hub cache 東京");
        using var source = new TempFolder();
        var (vocab, merges) = ClipVocabularyTests.WriteTinyPair(source.Path);
        server.Add(ClipTokenizerFiles.Sd2Repository, "tokenizer/vocab.json", File.ReadAllBytes(vocab));
        server.Add(ClipTokenizerFiles.Sd2Repository, "tokenizer/merges.txt", File.ReadAllBytes(merges));

        using var client = new LoraPS.Hub.HubClient(new LoraPS.Hub.HubOptions { Endpoint = server.Endpoint, CacheDir = cache.Path, Offline = false, Token = null });
        var (repository, subfolder) = ClipTokenizerFiles.HubSourceFor(sd2: true);
        var files = await ClipTokenizerFiles.DownloadAsync(client, repository, subfolder);

        string snapshot = Path.Combine(cache.Path, "models--stabilityai--stable-diffusion-2", "snapshots", LoraPS.Tests.Tagging.LocalHubServer.Commit, "tokenizer");
        Assert.Equal(Path.Combine(snapshot, "vocab.json"), files.VocabJsonPath);
        Assert.Equal(new[] { 6, 4, 2, 7 }, ClipTokenizer.Load(files, padId: 0).Window("abc").Take(4));

        var found = ClipTokenizerFiles.TryFindInHubCache(repository, cache.Path);
        Assert.Equal(files.VocabJsonPath, found!.VocabJsonPath);

        // Offline, the cached copy serves without the server.
        int requests = server.Requests.Count;
        using var offline = new LoraPS.Hub.HubClient(new LoraPS.Hub.HubOptions { Endpoint = server.Endpoint, CacheDir = cache.Path, Offline = true });
        Assert.Equal(files.MergesPath, (await ClipTokenizerFiles.DownloadAsync(offline, repository, subfolder)).MergesPath);
        Assert.Equal(requests, server.Requests.Count);
    }

    [Fact]
    public async Task A_repository_without_tokenizer_files_is_a_hub_error()
    {
        using var server = new LoraPS.Tests.Tagging.LocalHubServer();
        using var cache = new TempFolder();
        using var client = new LoraPS.Hub.HubClient(new LoraPS.Hub.HubOptions { Endpoint = server.Endpoint, CacheDir = cache.Path, Offline = false, Token = null });
        var e = await Assert.ThrowsAsync<LoraPS.Hub.HubException>(() => ClipTokenizerFiles.DownloadAsync(client, ClipTokenizerFiles.Sd1Repository));
        Assert.Contains("vocab.json", e.Message);
    }
}
