// Ss7Message -> the plain object described by src/decode/record.ts (MessageRecord).
#pragma once

#include <napi.h>

#include "../engine/decode_pipeline.h"
#include "../engine/message.h"

namespace sigwall::addon {

Napi::Object build_record(Napi::Env env, const Ss7Message& message);
Napi::Object build_stats(Napi::Env env, const DecodePipeline& pipeline);

}  // namespace sigwall::addon
