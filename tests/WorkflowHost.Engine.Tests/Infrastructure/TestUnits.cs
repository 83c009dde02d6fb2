using WorkflowHost.Engine.Directory;

namespace WorkflowHost.Engine.Tests.Infrastructure;

/// <summary>
/// A tiny unit directory "test": two agencies in group KHOI (PNV tagged "lead"), two communes in group
/// CUM (XA-B inactive), a secretariat and two leaders; every address is on example.test.
/// </summary>
internal static class TestUnits
{
    public const string DirectoryName = "test";
    public const string SecretariatEmail = "thuongtruc@example.test";
    public const string ChairEmail = "chutich@example.test";
    public const string ViceChairEmail = "phochutich@example.test";

    public static UnitDirectory Create() => new()
    {
        Directory = DirectoryName,
        Name = "Huyện Thử Nghiệm",
        Secretariat = new Contact("Phòng Nội vụ (Thường trực Hội đồng TĐKT)", SecretariatEmail, "Thường trực Hội đồng TĐKT huyện"),
        Leaders =
        [
            new Contact("Chủ tịch UBND huyện", ChairEmail, "Chủ tịch UBND huyện"),
            new Contact("Phó Chủ tịch UBND huyện", ViceChairEmail, "Phó Chủ tịch UBND huyện"),
        ],
        Groups = [new UnitGroup("KHOI", "Khối cơ quan"), new UnitGroup("CUM", "Cụm xã")],
        Units =
        [
            Unit("PNV", "Phòng Nội vụ", "KHOI", "lead"),
            Unit("PTC", "Phòng Tài chính – Kế hoạch", "KHOI"),
            Unit("XA-A", "UBND xã An Bình", "CUM"),
            Unit("XA-B", "UBND xã Bình Yên", "CUM") with { Active = false },
        ],
    };

    /// <summary>Codes of the active units, in directory order.</summary>
    public static IReadOnlyList<string> ActiveCodes { get; } = ["PNV", "PTC", "XA-A"];

    public static string Email(string code) => code.ToLowerInvariant() + "@example.test";

    public static string HeadEmail(string code) => "truong." + code.ToLowerInvariant() + "@example.test";

    private static Unit Unit(string code, string name, string group, params string[] tags) => new()
    {
        Code = code,
        Name = name,
        Group = group,
        Email = Email(code),
        HeadName = "Thủ trưởng " + name,
        HeadEmail = HeadEmail(code),
        Tags = tags,
    };
}
