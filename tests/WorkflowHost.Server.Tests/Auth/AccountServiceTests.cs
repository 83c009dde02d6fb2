using WorkflowHost.Engine.Timeline;
using Microsoft.AspNetCore.Identity;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Auth;

public sealed class AccountServiceTests : IDisposable
{
    private const string Password = "mot-mat-khau-dai";
    private readonly TestDatabase _database = new();
    private readonly VirtualTimeProvider _clock = new VirtualTimeProvider(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));

    public void Dispose() => _database.Dispose();

    private AccountService Service(out Server.Data.WorkflowHostDbContext db)
    {
        db = _database.CreateContext();
        return new AccountService(db, _clock);
    }

    private async Task<SignInCheck> CheckAsync(string user, string password)
    {
        using var db = _database.CreateContext();
        return await new AccountService(db, _clock).CheckPasswordAsync(user, password, CancellationToken.None);
    }

    private async Task CreateAsync(string user = "thuky", string role = AuthPolicies.SecretariatRole)
    {
        using var db = _database.CreateContext();
        await new AccountService(db, _clock).CreateAsync(user, "Thư ký", role, Password, CancellationToken.None);
    }

    [Fact]
    public async Task Create_StoresASaltedHashNeverThePassword()
    {
        await CreateAsync("thuky");
        await CreateAsync("thuky2");
        using var db = _database.CreateContext();
        var accounts = db.UserAccounts.OrderBy(a => a.UserName).ToList();
        Assert.All(accounts, a => Assert.DoesNotContain(Password, a.PasswordHash, StringComparison.Ordinal));
        Assert.NotEqual(accounts[0].PasswordHash, accounts[1].PasswordHash);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<UserAccount>().VerifyHashedPassword(accounts[0], accounts[0].PasswordHash, Password));
        Assert.Equal("thuky", accounts[0].NormalizedUserName);
        Assert.Equal("Thư ký", accounts[0].DisplayName);
    }

    [Theory]
    [InlineData("a", AuthPolicies.SecretariatRole, Password)]
    [InlineData("có dấu", AuthPolicies.SecretariatRole, Password)]
    [InlineData("thuky", "admin", Password)]
    [InlineData("thuky", AuthPolicies.SecretariatRole, "ngan")]
    [InlineData("thuky", AuthPolicies.SecretariatRole, "            ")]
    public async Task Create_InvalidInput_Throws(string user, string role, string password)
    {
        var service = Service(out var db);
        using (db)
        {
            await Assert.ThrowsAsync<AccountException>(() => service.CreateAsync(user, null, role, password, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Create_SameUserNameInAnotherCase_Throws()
    {
        await CreateAsync("ThuKy");
        var service = Service(out var db);
        using (db)
        {
            var e = await Assert.ThrowsAsync<AccountException>(() => service.CreateAsync("thuky", null, AuthPolicies.LeaderRole, Password, CancellationToken.None));
            Assert.Contains("đã có", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CheckPassword_RightPasswordAnyCaseOfUserName_Succeeds()
    {
        await CreateAsync("ThuKy");
        var check = await CheckAsync("thuky", Password);
        Assert.Equal(SignInStatus.Succeeded, check.Status);
        Assert.Equal(AuthPolicies.SecretariatRole, check.Account!.Role);
    }

    [Fact]
    public async Task CheckPassword_UnknownUser_FailsLikeAWrongPassword()
    {
        var check = await CheckAsync("nobody", Password);
        Assert.Equal(SignInStatus.Failed, check.Status);
        Assert.Null(check.Account);
    }

    [Fact]
    public async Task CheckPassword_FiveWrongPasswords_LocksFor15MinutesEvenWithTheRightOne()
    {
        await CreateAsync();
        for (var i = 1; i <= 4; i++) Assert.Equal(SignInStatus.Failed, (await CheckAsync("thuky", "sai-" + i)).Status);

        var fifth = await CheckAsync("thuky", "sai-5");
        Assert.Equal(SignInStatus.LockedOut, fifth.Status);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(15), fifth.LockedUntil);

        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(SignInStatus.LockedOut, (await CheckAsync("thuky", Password)).Status);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SignInStatus.Succeeded, (await CheckAsync("thuky", Password)).Status);
    }

    [Fact]
    public async Task CheckPassword_SuccessInBetween_ResetsTheFailureCount()
    {
        await CreateAsync();
        for (var i = 0; i < 4; i++) await CheckAsync("thuky", "sai");
        Assert.Equal(SignInStatus.Succeeded, (await CheckAsync("thuky", Password)).Status);
        for (var i = 0; i < 4; i++) Assert.Equal(SignInStatus.Failed, (await CheckAsync("thuky", "sai")).Status);
    }

    [Fact]
    public async Task CheckPassword_AfterLockoutEnds_CountsFromZeroAgain()
    {
        await CreateAsync();
        for (var i = 0; i < 5; i++) await CheckAsync("thuky", "sai");
        _clock.Advance(TimeSpan.FromMinutes(15));
        for (var i = 0; i < 4; i++) Assert.Equal(SignInStatus.Failed, (await CheckAsync("thuky", "sai")).Status);
        Assert.Equal(SignInStatus.LockedOut, (await CheckAsync("thuky", "sai")).Status);
    }
}
