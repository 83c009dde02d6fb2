# syntax=docker/dockerfile:1
# WorkflowHost server image.  Build: docker compose build   (or: docker build -t workflowhost .)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The build runs `npm ci` in src/WorkflowHost.Server/ClientApp to install the Elsa Studio designer bundle,
# which `dotnet publish` copies to /app/publish/studio.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
# The whole context (see .dockerignore): Directory.Build.props, Directory.Packages.props,
# BannedSymbols.txt and global.json take part in the build, and project references may grow.
COPY . .
RUN dotnet restore src/WorkflowHost.Server/WorkflowHost.Server.csproj
RUN dotnet publish src/WorkflowHost.Server/WorkflowHost.Server.csproj -c Release --no-restore \
        -o /app/publish -p:UseAppHost=false
# workflows/ and config/ may be empty, and git keeps no empty folder: make them exist either way.
RUN mkdir -p workflows config

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish ./
COPY --from=build /src/workflows ./workflows
COPY --from=build /src/config ./config
# ./data holds the SQLite file (if used), the mail pickup folder and logs; mount a volume there.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
# The aspnet images define the non-root user "app" (uid $APP_UID = 1654).
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
ENTRYPOINT ["dotnet", "WorkflowHost.Server.dll"]
