/*
 * lv2host: the smallest offline LV2 host that is fair to the plugin it runs,
 * for `cargo xtask bench-peers` only (never shipped, never in CI).
 *
 *   lv2host -i IN.wav -o OUT.wav [-b BLOCK] PLUGIN_URI [symbol=value ...]
 *
 * Reads IN with libsndfile, runs the plugin over it in BLOCK-frame blocks
 * (default 1024, the block size `lathe process` uses) and writes 32-bit float
 * OUT. Control inputs start at the plugin's defaults; `symbol=value` pairs
 * override them. Atom inputs get an empty sequence each block and atom
 * outputs a cleared buffer, so plugins with a UI/notification port (x42,
 * LSP) run too (`lv2apply` refuses those, and runs one frame per call, which
 * measures the host, not the plugin). Extra audio inputs (side-chains) get
 * silence.
 *
 * Features given: urid:map, urid:unmap, options:options (block lengths,
 * sample rate), buf-size:boundedBlockLength.
 */
#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/urid/urid.h>
#include <sndfile.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Capacity of each atom output buffer, bytes. */
#define ATOM_CAPACITY 65536
/** Most URIs a plugin may map in one run. */
#define MAX_URIS 4096

static char *uris[MAX_URIS];
static uint32_t n_uris;

static LV2_URID map_uri(LV2_URID_Map_Handle handle, const char *uri) {
    (void)handle;
    for (uint32_t i = 0; i < n_uris; i++)
        if (strcmp(uris[i], uri) == 0) return i + 1;
    if (n_uris == MAX_URIS) return 0;
    uris[n_uris] = strdup(uri);
    return ++n_uris;
}

static const char *unmap_uri(LV2_URID_Unmap_Handle handle, LV2_URID urid) {
    (void)handle;
    return (urid >= 1 && urid <= n_uris) ? uris[urid - 1] : NULL;
}

static void die(const char *msg, const char *detail) {
    fprintf(stderr, "lv2host: %s%s%s\n", msg, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

enum kind { AUDIO_IN, AUDIO_OUT, CONTROL_IN, CONTROL_OUT, ATOM_IN, ATOM_OUT, OTHER };

int main(int argc, char **argv) {
    const char *in_path = NULL, *out_path = NULL, *uri = NULL;
    int block = 1024, first_set = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-i") && i + 1 < argc) in_path = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) out_path = argv[++i];
        else if (!strcmp(argv[i], "-b") && i + 1 < argc) block = atoi(argv[++i]);
        else { uri = argv[i]; first_set = i + 1; break; }
    }
    if (!in_path || !out_path || !uri || block < 1)
        die("usage: lv2host -i IN -o OUT [-b BLOCK] URI [symbol=value ...]", NULL);

    SF_INFO in_info = {0};
    SNDFILE *in = sf_open(in_path, SFM_READ, &in_info);
    if (!in) die("cannot open input", sf_strerror(NULL));
    const int channels = in_info.channels;
    const double rate = in_info.samplerate;

    LilvWorld *world = lilv_world_new();
    lilv_world_load_all(world);
    LilvNode *uri_node = lilv_new_uri(world, uri);
    const LilvPlugin *plugin =
        lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri_node);
    if (!plugin) die("plugin not found", uri);

    LilvNode *audio = lilv_new_uri(world, LV2_CORE__AudioPort);
    LilvNode *control = lilv_new_uri(world, LV2_CORE__ControlPort);
    LilvNode *atom = lilv_new_uri(world, LV2_ATOM__AtomPort);
    LilvNode *input = lilv_new_uri(world, LV2_CORE__InputPort);
    LilvNode *optional = lilv_new_uri(world, LV2_CORE__connectionOptional);

    const uint32_t n_ports = lilv_plugin_get_num_ports(plugin);
    enum kind *kinds = calloc(n_ports, sizeof *kinds);
    float *controls = calloc(n_ports, sizeof *controls);
    float **buffers = calloc(n_ports, sizeof *buffers);
    float *defaults = calloc(n_ports, sizeof *defaults);
    lilv_plugin_get_port_ranges_float(plugin, NULL, NULL, defaults);

    LV2_URID_Map map = {NULL, map_uri};
    LV2_URID_Unmap unmap = {NULL, unmap_uri};
    const LV2_URID atom_int = map_uri(NULL, LV2_ATOM__Int);
    const LV2_URID atom_float = map_uri(NULL, LV2_ATOM__Float);
    const LV2_URID atom_sequence = map_uri(NULL, LV2_ATOM__Sequence);
    const LV2_URID atom_chunk = map_uri(NULL, LV2_ATOM__Chunk);
    int32_t block_len = block;
    float rate_f = (float)rate;
    LV2_Options_Option options[] = {
        {LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_BUF_SIZE__minBlockLength), sizeof(int32_t), atom_int, &block_len},
        {LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_BUF_SIZE__maxBlockLength), sizeof(int32_t), atom_int, &block_len},
        {LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_BUF_SIZE__nominalBlockLength), sizeof(int32_t), atom_int, &block_len},
        {LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, "http://lv2plug.in/ns/ext/parameters#sampleRate"), sizeof(float), atom_float, &rate_f},
        {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL},
    };
    LV2_Feature map_f = {LV2_URID__map, &map};
    LV2_Feature unmap_f = {LV2_URID__unmap, &unmap};
    LV2_Feature options_f = {LV2_OPTIONS__options, options};
    LV2_Feature bounded_f = {LV2_BUF_SIZE__boundedBlockLength, NULL};
    const LV2_Feature *features[] = {&map_f, &unmap_f, &options_f, &bounded_f, NULL};

    LilvInstance *instance = lilv_plugin_instantiate(plugin, rate, features);
    if (!instance) die("instantiation failed", uri);

    float *silence = calloc((size_t)block, sizeof(float));
    int audio_in_seen = 0, audio_out_seen = 0;
    float **in_bufs = calloc((size_t)channels, sizeof(float *));
    float **out_bufs = calloc((size_t)channels, sizeof(float *));
    for (uint32_t p = 0; p < n_ports; p++) {
        const LilvPort *port = lilv_plugin_get_port_by_index(plugin, p);
        const int is_in = lilv_port_is_a(plugin, port, input);
        if (lilv_port_is_a(plugin, port, audio)) {
            kinds[p] = is_in ? AUDIO_IN : AUDIO_OUT;
            buffers[p] = calloc((size_t)block, sizeof(float));
            if (is_in && audio_in_seen < channels) in_bufs[audio_in_seen++] = buffers[p];
            else if (is_in) { free(buffers[p]); buffers[p] = silence; }
            if (!is_in && audio_out_seen < channels) out_bufs[audio_out_seen++] = buffers[p];
            lilv_instance_connect_port(instance, p, buffers[p]);
        } else if (lilv_port_is_a(plugin, port, control)) {
            kinds[p] = is_in ? CONTROL_IN : CONTROL_OUT;
            controls[p] = isnan(defaults[p]) ? 0.0f : defaults[p];
            lilv_instance_connect_port(instance, p, &controls[p]);
        } else if (lilv_port_is_a(plugin, port, atom)) {
            kinds[p] = is_in ? ATOM_IN : ATOM_OUT;
            buffers[p] = calloc(ATOM_CAPACITY, 1);
            lilv_instance_connect_port(instance, p, buffers[p]);
        } else {
            kinds[p] = OTHER;
            if (!lilv_port_has_property(plugin, port, optional))
                die("port of unsupported type",
                    lilv_node_as_string(lilv_port_get_symbol(plugin, port)));
            lilv_instance_connect_port(instance, p, NULL);
        }
    }
    if (audio_in_seen != channels || audio_out_seen != channels) {
        fprintf(stderr, "lv2host: plugin has %d/%d audio in/out, file has %d channels\n",
                audio_in_seen, audio_out_seen, channels);
        return 1;
    }

    for (int i = first_set; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) die("expected symbol=value", argv[i]);
        *eq = '\0';
        LilvNode *sym = lilv_new_string(world, argv[i]);
        const LilvPort *port = lilv_plugin_get_port_by_symbol(plugin, sym);
        lilv_node_free(sym);
        if (!port) die("no such port symbol", argv[i]);
        controls[lilv_port_get_index(plugin, port)] = strtof(eq + 1, NULL);
    }

    SF_INFO out_info = {0};
    out_info.samplerate = in_info.samplerate;
    out_info.channels = channels;
    out_info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE *out = sf_open(out_path, SFM_WRITE, &out_info);
    if (!out) die("cannot open output", sf_strerror(NULL));

    float *interleaved = malloc((size_t)block * (size_t)channels * sizeof(float));
    lilv_instance_activate(instance);
    for (;;) {
        const sf_count_t got = sf_readf_float(in, interleaved, block);
        if (got <= 0) break;
        for (sf_count_t f = 0; f < got; f++)
            for (int c = 0; c < channels; c++) in_bufs[c][f] = interleaved[f * channels + c];
        for (uint32_t p = 0; p < n_ports; p++) {
            if (kinds[p] == ATOM_IN) {
                LV2_Atom_Sequence *seq = (LV2_Atom_Sequence *)buffers[p];
                seq->atom.size = sizeof(LV2_Atom_Sequence_Body);
                seq->atom.type = atom_sequence;
                seq->body.unit = 0;
                seq->body.pad = 0;
            } else if (kinds[p] == ATOM_OUT) {
                LV2_Atom *a = (LV2_Atom *)buffers[p];
                a->size = ATOM_CAPACITY - sizeof(LV2_Atom);
                a->type = atom_chunk;
            }
        }
        lilv_instance_run(instance, (uint32_t)got);
        for (sf_count_t f = 0; f < got; f++)
            for (int c = 0; c < channels; c++) interleaved[f * channels + c] = out_bufs[c][f];
        if (sf_writef_float(out, interleaved, got) != got) die("write failed", out_path);
    }
    lilv_instance_deactivate(instance);
    lilv_instance_free(instance);
    sf_close(out);
    sf_close(in);
    return 0;
}
