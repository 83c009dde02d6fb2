using WorkflowHost.Engine.Quotas;

namespace WorkflowHost.Engine.Tests.Quotas;

/// <summary>Minimums as the plans write them ("tối thiểu 03 tập thể, 03 cá nhân") and as stored ("collective:3;individual:3").</summary>
public sealed class ExemplarCountsTests
{
    [Theory]
    [InlineData("tối thiểu 03 tập thể, 03 cá nhân", "collective:3;individual:3")]
    [InlineData("ít nhất 01 tập thể và 01 cá nhân", "collective:1;individual:1")]
    [InlineData("toi thieu 3 tap the, 3 ca nhan", "collective:3;individual:3")]
    [InlineData("ít nhất 03 điển hình tiên tiến/năm", "any:3")]
    [InlineData("2 mô hình, 1 hộ gia đình", "household:1;model:2")]
    [InlineData("collective:1;any:2", "collective:1;any:2")]
    [InlineData("collective:3;individual:3", "collective:3;individual:3")]
    [InlineData("Individual:2, collective:1", "collective:1;individual:2")]
    [InlineData("", "")]
    public void Parse_PlanWordingAndCanonical_GivesCanonical(string text, string expected) =>
        Assert.Equal(expected, ExemplarCounts.Parse(text).ToString());

    [Theory]
    [InlineData("ba tập thể")]
    [InlineData("team:3")]
    [InlineData("nhiều cá nhân")]
    public void Parse_Unreadable_ThrowsNamingTheText(string text)
    {
        var e = Assert.Throws<FormatException>(() => ExemplarCounts.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortfallAgainst_CountsOnlyWhatIsMissing()
    {
        var counted = ExemplarCounts.Parse("collective:4;individual:1");
        var shortfall = counted.ShortfallAgainst(ExemplarCounts.Parse("03 tập thể, 03 cá nhân"));
        Assert.Equal("individual:2", shortfall.ToString());
        Assert.Equal("2 cá nhân", shortfall.ToVietnamese());
    }

    [Theory]
    [InlineData("any:3", "individual:2", "any:1")]
    [InlineData("collective:1;any:2", "collective:3", "")]
    [InlineData("collective:1;any:2", "individual:1", "collective:1;any:1")]
    public void ShortfallAgainst_AnyKind_CountsExemplarsBeyondTheirOwnMinimum(string minimum, string counted, string expected) =>
        Assert.Equal(expected, ExemplarCounts.Parse(counted).ShortfallAgainst(ExemplarCounts.Parse(minimum)).ToString());

    [Fact]
    public void ExemplarEntry_ReadAll_CountsByKindAndMovement()
    {
        const string content = """
            {"exemplars": [
              {"kind": "collective", "name": "Trường TH số 1", "movement": "Dân vận khéo"},
              {"kind": "Individual", "name": "Lò Văn A", "movement": "dân vận khéo "},
              {"kind": "individual", "name": "Quàng Thị B", "movement": "Chung sức xây dựng nông thôn mới"},
              {"kind": "team", "name": "ignored: unknown kind"},
              {"kind": "household", "name": ""},
              "not an object"
            ]}
            """;
        var rows = ExemplarEntry.ReadAll(content);
        Assert.Equal(3, rows.Count);
        Assert.Equal("collective:1;individual:1", ExemplarEntry.Count(rows, "Dân vận khéo").ToString());
        Assert.Equal("collective:1;individual:2", ExemplarEntry.Count(rows).ToString());
        Assert.Empty(ExemplarEntry.ReadAll("{not json"));
    }
}
