using System.Xml.Linq;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Dataset;

namespace LoraPS.Tests.Datasets;

/// <summary>The module files the dataset cmdlets rely on.</summary>
public sealed class DatasetFrontEndTests
{
    [Fact]
    public void Format_file_has_table_views_for_the_dataset_objects_and_their_properties_exist()
    {
        var doc = XDocument.Load(Path.Combine(RepoPaths.Root, "module", "LoraPS.format.ps1xml"));
        foreach (var type in new[] { typeof(LoraDataset), typeof(SubsetSummary), typeof(BucketSummary) })
        {
            var view = doc.Descendants("View").SingleOrDefault(v => v.Descendants("TypeName").Any(t => t.Value == type.FullName));
            Assert.True(view is not null, $"no view for {type.FullName}");
            Assert.NotNull(view!.Element("TableControl"));
            foreach (var property in view.Descendants("PropertyName"))
                Assert.True(type.GetProperty(property.Value) is not null, $"{type.Name} has no property {property.Value}");
        }
    }

    [Fact]
    public void Manifest_exports_the_dataset_cmdlets_and_wrappers_are_listed()
    {
        string manifest = File.ReadAllText(Path.Combine(RepoPaths.Root, "module", "LoraPS.psd1"));
        Assert.Contains("'New-LoraDataset'", manifest);
        Assert.Contains("'Get-LoraDataset'", manifest);
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "module", "wrappers", "README.md"));
        foreach (string bat in new[] { "Dataset.bat", "CharFrameworkDataset.bat" })
        {
            Assert.Contains(bat, readme);
            Assert.Contains("_run.bat", File.ReadAllText(Path.Combine(RepoPaths.Root, "module", "wrappers", bat)));
        }
    }
}
