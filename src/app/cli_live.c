/* cli_live.c - the command-line options every live command (run, demo) shares.
 * SPDX-License-Identifier: MIT */
#include "cli_live.h"

#include <string.h>

#include "engine.h"

void cli_live_opts(ui_session_options *o, cli_opt rows[CLI_LIVE_N_OPTS])
{
    const cli_opt live[CLI_LIVE_N_OPTS] = {
        {"--no-window", CLI_FLAG, &o->is_window_off, 0, 0, "", NULL, "no window (terminal only)"},
        {"--no-audio", CLI_FLAG, &o->is_audio_off, 0, 0, "", NULL, "no tones"},
        {"--pacer", CLI_STRING, &o->pacer, 0, 0, "a pacer name", "NAME",
         "pacer pattern: resonance (default), box, 4-7-8, even, adaptive,\n"
         "or custom:IN-HOLD-OUT-HOLD in seconds (custom:4-2-6-0)"},
        {"--calibration", CLI_STRING, &o->calibration, 0, 0, "an assessment JSON file", "FILE",
         "start from what an assessment learnt (ASSESS.json from\n"
         "'bellows assess'): a held-in belly is noticed from the start"},
        {"--volume", CLI_DOUBLE, &o->volume, 0.0, 1.0, "a volume from 0 to 1", "V",
         "tone volume 0..1 (default 0.7); m mutes in the window"},
        {"--no-breath-tone", CLI_FLAG, &o->is_breath_tone_off, 0, 0, "", NULL,
         "no tone following the belly"},
        {"--no-pacer-cues", CLI_FLAG, &o->is_pacer_cues_off, 0, 0, "", NULL,
         "no soft cue at each pacer phase"},
        {"--no-holdin-cue", CLI_FLAG, &o->is_holdin_cue_off, 0, 0, "", NULL,
         "no cue when the belly is held in"},
        {"--therapist-window", CLI_FLAG, &o->is_therapist_window, 0, 0, "", NULL,
         "the therapist layout in a second window (put it on a second\n"
         "display) while the first shows the practice layout"},
        {"--no-hold-cue", CLI_FLAG, &o->is_hold_cue_off, 0, 0, "", NULL,
         "no cue when the breath is held (none while the pacer asks for a hold)"},
        ENGINE_BREATH_HOLD_OPT(&o->breath_hold_s),
    };
    memcpy(rows, live, sizeof live);
}
