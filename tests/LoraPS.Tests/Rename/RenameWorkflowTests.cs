using LoraPS.Formats.Images;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Rename;

namespace LoraPS.Tests.Rename;

/// <summary>Rename-TrainingImages' workflow: naming, order, sidecars, collisions, bad files, -WhatIf, undo and recovery.</summary>
public sealed class RenameWorkflowTests
{
    private static RenameOptions For(string path, string? prefix = "x") => new() { Paths = [path], Prefix = prefix };

    [Fact]
    public void Explorer_style_in_natural_order_with_sidecars_and_captions()
    {
        using var temp = new TempFolder("rename std");
        RenameTestFolder.Standard(temp.Path);
        var before = RenameTestFolder.Snapshot(temp.Path);
        var result = RenameWorkflow.Run(For(temp.Path));

        Assert.Equal(["x (1).bmp", "x (2).png", "x (3).png"], result.Images.Select(i => i.Name));
        var after = RenameTestFolder.Snapshot(temp.Path);
        Assert.Equal(before["img1 写真.bmp"], after["x (1).bmp"]);
        Assert.Equal(before["img2.png"], after["x (2).png"]);
        Assert.Equal(before["img2.txt"], after["x (2).txt"]);
        Assert.Equal(before["img2.npz"], after["x (2).npz"]);
        Assert.Equal(before["img10.png"], after["x (3).png"]);
        Assert.Equal(before["img10.caption"], after["x (3).caption"]);
        Assert.Equal(before["img10.json"], after["x (3).json"]);
        // Left alone: the corrupt picture (reported), the unrelated files.
        Assert.Equal(before["broken.png"], after["broken.png"]);
        Assert.Equal(before["x (4).txt"], after["x (4).txt"]);
        Assert.Equal(before["notes.md"], after["notes.md"]);
        Assert.Equal(before.Values.Order(), after.Values.Order());
        var problem = Assert.Single(result.Problems);
        Assert.EndsWith("broken.png", problem.Path);
        Assert.IsAssignableFrom<LoraPS.Formats.InvalidFileException>(problem.Error);
        Assert.Equal(7, result.FilesRenamed);

        var second = result.Images[1];
        Assert.Equal((3, 2, ImageFormat.Png), (second.Width, second.Height, second.Format));
        Assert.Equal(Path.Combine(temp.Path, "x (2).txt"), second.CaptionPath);
        Assert.StartsWith("1girl, solo", second.Caption);
        Assert.StartsWith("a photo of sks", result.Images[2].Caption);
        Assert.Equal(Path.Combine(temp.Path, "x (3).caption"), result.Images[2].CaptionPath);
        Assert.Null(result.Images[0].Caption);
        Assert.Equal(Path.Combine(temp.Path, "x (1).txt"), result.Images[0].CaptionPath);
        Assert.False(File.Exists(RenameJournal.PathIn(temp.Path)));

        // Running again changes nothing.
        var again = RenameWorkflow.Run(For(temp.Path));
        Assert.Equal(0, again.FilesRenamed);
        Assert.Equal(after, RenameTestFolder.Snapshot(temp.Path));
    }

    [Fact]
    public void Padded_style_digits_start_and_default_prefix()
    {
        using var temp = new TempFolder("rename pad");
        string folder = Path.Combine(temp.Path, "キャラ 2");
        for (int i = 0; i < 3; i++) RenameTestFolder.Write(folder, $"p{i}.png", RenameTestFolder.Png(i));
        var result = RenameWorkflow.Run(new RenameOptions { Paths = [folder], Style = RenameStyle.Padded, Digits = 3, Start = 7 });
        Assert.Equal(["キャラ 2_007.png", "キャラ 2_008.png", "キャラ 2_009.png"], result.Images.Select(i => i.Name));
    }

    [Fact]
    public void A_name_held_by_a_file_outside_the_set_is_skipped_never_overwritten()
    {
        using var temp = new TempFolder("rename clash");
        RenameTestFolder.Write(temp.Path, "a.png", RenameTestFolder.Png(1));
        RenameTestFolder.Write(temp.Path, "a.txt", "caption a");
        RenameTestFolder.Write(temp.Path, "b.png", RenameTestFolder.Png(2));
        RenameTestFolder.Write(temp.Path, "x (1).png", [1, 2, 3]);  // corrupt: outside the set
        RenameTestFolder.Write(temp.Path, "x (2).TXT", "someone's notes"); // a's caption would land here (any case)
        var before = RenameTestFolder.Snapshot(temp.Path);
        var result = RenameWorkflow.Run(For(temp.Path));
        var after = RenameTestFolder.Snapshot(temp.Path);
        Assert.Equal(["x (3).png", "x (4).png"], result.Images.Select(i => i.Name));
        Assert.Equal(before["a.txt"], after["x (3).txt"]);
        Assert.Equal(before["x (1).png"], after["x (1).png"]);
        Assert.Equal(before["x (2).TXT"], after["x (2).TXT"]);
        Assert.Equal(2, result.Notes.Count(n => n.Contains("skipped")));
    }

    [Fact]
    public void Sort_orders_name_modified_and_date_taken()
    {
        using var temp = new TempFolder("rename sort");
        RenameTestFolder.Write(temp.Path, "b10.png", RenameTestFolder.Png(1));
        RenameTestFolder.Write(temp.Path, "b9.png", RenameTestFolder.Png(2));
        RenameTestFolder.Write(temp.Path, "B8.png", RenameTestFolder.Png(3));
        File.SetLastWriteTimeUtc(temp.File("b10.png"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(temp.File("b9.png"), new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(temp.File("B8.png"), new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        string[] Order(RenameSort sort) => RenameWorkflow.Plan(For(temp.Path) with { Sort = sort }).Folders[0].Moves.Select(m => m.Source).ToArray();
        Assert.Equal(["B8.png", "b9.png", "b10.png"], Order(RenameSort.Natural));
        Assert.Equal(["B8.png", "b10.png", "b9.png"], Order(RenameSort.Name));
        Assert.Equal(["b10.png", "B8.png", "b9.png"], Order(RenameSort.Modified));

        // Date taken: b9 carries an EXIF date older than every modified time; the others fall back to theirs.
        byte[] withExif = Images.ExifContainerTests.PngWithExifDate(RenameTestFolder.Png(2), "2001:02:03 04:05:06");
        File.WriteAllBytes(temp.File("b9.png"), withExif);
        File.SetLastWriteTime(temp.File("b9.png"), new DateTime(2030, 1, 1));
        Assert.Equal(["b9.png", "b10.png", "B8.png"], Order(RenameSort.DateTaken));
    }

    [Fact]
    public void Swapping_names_goes_through_temporary_names()
    {
        using var temp = new TempFolder("rename swap");
        RenameTestFolder.Write(temp.Path, "x (1).png", RenameTestFolder.Png(1));
        RenameTestFolder.Write(temp.Path, "x (1).txt", "one");
        RenameTestFolder.Write(temp.Path, "x (2).png", RenameTestFolder.Png(2));
        File.SetLastWriteTimeUtc(temp.File("x (1).png"), DateTime.UtcNow);
        File.SetLastWriteTimeUtc(temp.File("x (2).png"), DateTime.UtcNow.AddDays(-1));
        var before = RenameTestFolder.Snapshot(temp.Path);
        RenameWorkflow.Run(For(temp.Path) with { Sort = RenameSort.Modified });
        var after = RenameTestFolder.Snapshot(temp.Path);
        Assert.Equal(before["x (1).png"], after["x (2).png"]);
        Assert.Equal(before["x (1).txt"], after["x (2).txt"]);
        Assert.Equal(before["x (2).png"], after["x (1).png"]);
        Assert.Equal(3, after.Count);
    }

    [Fact]
    public void Plan_touches_nothing_and_describes_every_move()
    {
        using var temp = new TempFolder("rename plan");
        RenameTestFolder.Standard(temp.Path);
        var before = RenameTestFolder.Snapshot(temp.Path);
        var plan = RenameWorkflow.Plan(For(temp.Path));
        Assert.Equal(before, RenameTestFolder.Snapshot(temp.Path));
        string text = plan.Folders[0].Describe();
        Assert.Contains("img2.npz → x (2).npz", text);
        Assert.Contains("img1 写真.bmp → x (1).bmp", text);
        Assert.Single(plan.Problems);
    }

    [Fact]
    public void Recurse_numbers_each_folder_and_listed_files_rename_only_themselves()
    {
        using var temp = new TempFolder("rename rec");
        RenameTestFolder.Write(temp.Path, "a.png", RenameTestFolder.Png(1));
        RenameTestFolder.Write(temp.Path, "sub dir/b.png", RenameTestFolder.Png(2));
        RenameTestFolder.Write(temp.Path, "sub dir/c.png", RenameTestFolder.Png(3));
        var result = RenameWorkflow.Run(For(temp.Path) with { Recurse = true });
        Assert.Equal(["x (1).png", "x (1).png", "x (2).png"], result.Images.Select(i => i.Name));
        Assert.True(File.Exists(temp.File("sub dir/x (2).png")));

        RenameTestFolder.Write(temp.Path, "z.png", RenameTestFolder.Png(4));
        var only = RenameWorkflow.Run(new RenameOptions { Paths = [temp.File("z.png")], Prefix = "y" });
        Assert.Equal(["y (1).png"], only.Images.Select(i => i.Name));
        Assert.True(File.Exists(temp.File("x (1).png")));

        var missing = RenameWorkflow.Run(new RenameOptions { Paths = [temp.File("nope.png")], Prefix = "y" });
        Assert.IsType<FileNotFoundException>(Assert.Single(missing.Problems).Error);
    }

    [Fact]
    public void Files_piped_in_rename_only_themselves_sidecars_follow_and_other_files_are_reported()
    {
        using var temp = new TempFolder("rename piped");
        RenameTestFolder.Write(temp.Path, "b.png", RenameTestFolder.Png(1));
        RenameTestFolder.Write(temp.Path, "b.txt", "caption b");
        RenameTestFolder.Write(temp.Path, "a.png", RenameTestFolder.Png(2));
        RenameTestFolder.Write(temp.Path, "c.png", RenameTestFolder.Png(3));
        RenameTestFolder.Write(temp.Path, "desktop.ini", "[x]");
        var before = RenameTestFolder.Snapshot(temp.Path);
        // As Get-ChildItem -File would pipe them, minus c.png.
        var result = RenameWorkflow.Run(new RenameOptions { Paths = [temp.File("b.png"), temp.File("b.txt"), temp.File("a.png"), temp.File("desktop.ini")], Prefix = "p" });
        Assert.Equal(["p (1).png", "p (2).png"], result.Images.Select(i => i.Name));
        var after = RenameTestFolder.Snapshot(temp.Path);
        Assert.Equal(before["a.png"], after["p (1).png"]);
        Assert.Equal(before["b.txt"], after["p (2).txt"]);
        Assert.Equal(before["c.png"], after["c.png"]);
        Assert.EndsWith("desktop.ini", Assert.Single(result.Problems).Path);
    }

    [Fact]
    public void Progress_is_reported_for_every_move()
    {
        using var temp = new TempFolder("rename progress");
        for (int i = 0; i < 4; i++) RenameTestFolder.Write(temp.Path, $"i{i}.png", RenameTestFolder.Png(i));
        var seen = new List<RenameProgress>();
        RenameWorkflow.Run(For(temp.Path), new SyncProgress(seen.Add));
        Assert.Equal(8, seen.Count); // 4 files × 2 phases
        Assert.Equal(8, seen[^1].Done);
        Assert.All(seen, p => Assert.Equal(8, p.Total));
    }

    private sealed class SyncProgress(Action<RenameProgress> report) : IProgress<RenameProgress>
    {
        public void Report(RenameProgress value) => report(value);
    }

    [Fact]
    public void A_name_taken_between_plan_and_rename_is_not_overwritten_and_the_rename_is_undone()
    {
        using var temp = new TempFolder("rename race");
        RenameTestFolder.Write(temp.Path, "a.png", RenameTestFolder.Png(1));
        RenameTestFolder.Write(temp.Path, "b.png", RenameTestFolder.Png(2));
        var plan = RenameWorkflow.Plan(For(temp.Path));
        RenameTestFolder.Write(temp.Path, "x (2).png", "arrived after the plan");
        var before = RenameTestFolder.Snapshot(temp.Path);
        var result = RenameWorkflow.Execute(plan);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("undone", problem.Error.Message);
        Assert.Equal(before, RenameTestFolder.Snapshot(temp.Path));
        Assert.False(File.Exists(RenameJournal.PathIn(temp.Path)));
    }

    [Fact]
    public void Listed_files_are_followed_through_a_recovered_rename()
    {
        using var temp = new TempFolder("rename listed crash");
        RenameTestFolder.Write(temp.Path, "a.png", RenameTestFolder.Png(1));
        RenameTestFolder.Write(temp.Path, "b.png", RenameTestFolder.Png(2));
        RenameTestFolder.Write(temp.Path, "c.png", RenameTestFolder.Png(3));
        var listed = new RenameOptions { Paths = [temp.File("a.png"), temp.File("b.png")], Prefix = "x" };
        try { RenameWorkflow.Run(listed with { AfterOperation = n => { if (n == 5) throw new SimulatedCrash(); } }); } catch (SimulatedCrash) { }
        var result = RenameWorkflow.Run(listed);
        Assert.Empty(result.Problems);
        Assert.Equal(["x (1).png", "x (2).png"], result.Images.Select(i => i.Name));
        Assert.True(File.Exists(temp.File("c.png")));
    }

    [Fact]
    public void Moves_never_replace_a_file_and_use_renameat2_on_linux()
    {
        using var temp = new TempFolder("safemove");
        File.WriteAllText(temp.File("a"), "a");
        File.WriteAllText(temp.File("b"), "b");
        var e = Assert.Throws<IOException>(() => SafeMove.Move(temp.File("a"), temp.File("b")));
        Assert.Equal("b", File.ReadAllText(temp.File("b")));
        Assert.Equal("a", File.ReadAllText(temp.File("a")));
        if (OperatingSystem.IsLinux()) Assert.Contains("never overwritten", e.Message); // our renameat2 path, not File.Move's link+unlink
        SafeMove.Move(temp.File("a"), temp.File("c ü"));
        Assert.Equal("a", File.ReadAllText(temp.File("c ü")));
        Assert.False(File.Exists(temp.File("a")));
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RenameWorkflow.Plan(new RenameOptions()));
        Assert.Throws<ArgumentException>(() => RenameWorkflow.Plan(For(".") with { Prefix = "a/b" }));
        Assert.Throws<ArgumentException>(() => RenameWorkflow.Plan(For(".") with { Digits = 0 }));
    }

    private sealed class SimulatedCrash : Exception;

    /// <summary>Stops the rename after each possible operation (as a crash would), then checks that running again
    /// finishes it exactly as an uninterrupted run, and that -Undo restores the original names exactly.</summary>
    [Fact]
    public void A_crash_after_any_operation_is_finished_by_running_again_or_reverted_by_undo()
    {
        using var reference = new TempFolder("rename ref");
        RenameTestFolder.Standard(reference.Path);
        RenameWorkflow.Run(For(reference.Path));
        var finished = RenameTestFolder.Snapshot(reference.Path);

        for (int stopAt = 1; ; stopAt++)
        {
            foreach (bool undo in new[] { false, true })
            {
                using var temp = new TempFolder("rename crash");
                RenameTestFolder.Standard(temp.Path);
                var original = RenameTestFolder.Snapshot(temp.Path);
                var options = For(temp.Path) with { AfterOperation = n => { if (n == stopAt) throw new SimulatedCrash(); } };
                bool crashed = false;
                try { RenameWorkflow.Run(options); } catch (SimulatedCrash) { crashed = true; }
                if (!crashed) { Assert.True(stopAt > 10, "the rename never reached the later operations"); return; }
                Assert.True(File.Exists(RenameJournal.PathIn(temp.Path)) || stopAt == 17, $"no journal after a stop at {stopAt}");

                // A crash during recovery is recovered too.
                var recoverOptions = For(temp.Path) with { Undo = undo, AfterOperation = n => { if (n == 2) throw new SimulatedCrash(); } };
                try { RenameWorkflow.Run(recoverOptions); } catch (SimulatedCrash) { }
                var result = RenameWorkflow.Run(For(temp.Path) with { Undo = undo });
                Assert.DoesNotContain(result.Problems, p => !p.Path.EndsWith("broken.png"));
                var now = RenameTestFolder.Snapshot(temp.Path);
                Assert.Equal(undo && stopAt < 17 ? original : finished, now);
            }
        }
    }

    [Fact]
    public void An_unreadable_journal_is_reported_and_nothing_moves()
    {
        using var temp = new TempFolder("rename badjournal");
        RenameTestFolder.Write(temp.Path, "a.png", RenameTestFolder.Png(1));
        File.WriteAllText(RenameJournal.PathIn(temp.Path), "{ not json");
        var before = RenameTestFolder.Snapshot(temp.Path);
        var result = RenameWorkflow.Run(For(temp.Path));
        Assert.Contains("journal is unreadable", Assert.Single(result.Problems).Error.Message);
        Assert.Equal(before, RenameTestFolder.Snapshot(temp.Path));
    }
}
