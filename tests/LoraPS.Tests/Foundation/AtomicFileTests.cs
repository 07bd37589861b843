using LoraPS.Formats;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Foundation;

public sealed class AtomicFileTests
{
    [Fact]
    public void Writes_a_new_file_and_leaves_no_temporary_files()
    {
        using var dir = new TempFolder();
        AtomicFile.WriteAllText(dir.File("a.txt"), "hello");
        Assert.Equal("hello", File.ReadAllText(dir.File("a.txt")));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Refuses_to_overwrite_without_permission_and_keeps_the_old_content()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("a.txt"), "mine");
        var e = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(dir.File("a.txt"), "theirs"));
        Assert.Contains("already exists", e.Message);
        Assert.Equal("mine", File.ReadAllText(dir.File("a.txt")));
        AtomicFile.WriteAllText(dir.File("a.txt"), "theirs", overwrite: true);
        Assert.Equal("theirs", File.ReadAllText(dir.File("a.txt")));
    }

    [Fact]
    public void A_failing_writer_leaves_the_target_untouched_and_no_temporary_file()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("a.txt"), "mine");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(dir.File("a.txt"), s =>
        {
            s.WriteByte(1);
            throw new InvalidOperationException("disk on fire");
        }, overwrite: true));
        Assert.Equal("mine", File.ReadAllText(dir.File("a.txt")));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
