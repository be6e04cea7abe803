using System.Text.Json;
using EarlyBert.Web.Components.Pages.Run;

namespace EarlyBert.Web.Tests.Run;

public sealed class MetadataGroupsTests
{
    [Fact]
    public void Keys_land_in_versions_environment_data_and_model_or_other_in_that_order()
    {
        var metadata = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""
            {"host":"box","runtime.fused_adam":true,"model.base_sha256":"cc","reference.Transformers":"4.18.0",
             "precision.in_effect":"matmuls in bf16","tokenizer.vocab_sha256":"bb","versions.torchsharp":"0.107.0",
             "data.sha256":"aa","device":"cpu","threads":2,"deterministic":true,"seed":42}
            """)!;

        var groups = MetadataGroups.Of(metadata);

        Assert.Equal(["Versions", "Environment", "Data & model", "Other"], groups.Select(g => g.Title));
        Assert.Equal(["reference.Transformers", "versions.torchsharp"], groups[0].Entries.Select(e => e.Key));
        Assert.Equal(["deterministic", "device", "precision.in_effect", "runtime.fused_adam", "threads"], groups[1].Entries.Select(e => e.Key));
        Assert.Equal(["data.sha256", "model.base_sha256", "tokenizer.vocab_sha256"], groups[2].Entries.Select(e => e.Key));
        Assert.Equal(["host", "seed"], groups[3].Entries.Select(e => e.Key));
        Assert.Equal("2", groups[1].Entries.Single(e => e.Key == "threads").Value);
        Assert.Equal("cpu", groups[1].Entries.Single(e => e.Key == "device").Value);
    }

    [Fact]
    public void Empty_groups_are_left_out()
    {
        var metadata = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"device":"cuda:0"}""")!;

        Assert.Equal(["Environment"], MetadataGroups.Of(metadata).Select(g => g.Title));
    }
}
